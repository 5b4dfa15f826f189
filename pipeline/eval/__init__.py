"""Quality measurements on labelled data (``newswatch eval``): classifier, facts and extraction, sharing metrics."""
