"""Load documents, chunk them, embed them and publish a new Chroma index version."""
