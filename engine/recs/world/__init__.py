"""models/world: recommendable tracks beyond the reference catalog and the co-listening between them."""
