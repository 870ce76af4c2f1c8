//! Unit tests of `memory.rs`.

#[test]
fn memory_store_keeps_the_store_contract() {
    super::super::tests::exercise(&super::MemoryStore::new());
}
