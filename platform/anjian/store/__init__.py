"""Storage primitives below every other part: database engine, value codec, clock."""
