"""Evidence-claim fact-checker for health articles: claims.yaml -> PubMed -> extraction -> rating -> report."""

__version__ = "0.1.0"
