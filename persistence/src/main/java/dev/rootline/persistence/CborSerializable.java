package dev.rootline.persistence;

/** Marker for every message and event that crosses a node or reaches the journal (jackson-cbor). */
public interface CborSerializable {}
