"""The English (and some Japanese) vocabulary of fact extraction, kept apart from the algorithms that read it."""
