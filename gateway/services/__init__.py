"""What resolvers ask for, built from loaders (reads) and ports (writes, then invalidation)."""
