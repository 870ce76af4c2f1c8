//! Unit tests of `owner_only.rs`.

use std::os::unix::fs::PermissionsExt as _;

use super::*;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn folders_and_files_are_made_for_their_owner_only() {
    let root = tempfile::tempdir().unwrap();
    let deep = root.path().join("a/b/c");
    create_dir_all(&deep).unwrap();
    for dir in ["a", "a/b", "a/b/c"] {
        assert_eq!(mode(&root.path().join(dir)), 0o700, "{dir}");
    }
    let file = deep.join("f");
    write(&file, b"secret").unwrap();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(std::fs::read(&file).unwrap(), b"secret");
    assert!(!is_open_to_others(&deep).unwrap());
}

#[test]
fn an_open_folder_is_tightened_its_links_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let set = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    std::fs::create_dir_all(data.join("db")).unwrap();
    std::fs::create_dir_all(data.join("files/ab/cd")).unwrap();
    for file in ["db/conf", "files/ab/cd/blob", "docket.lock"] {
        std::fs::write(data.join(file), b"x").unwrap();
        set(&data.join(file), 0o644);
    }
    for dir in ["", "db", "files", "files/ab", "files/ab/cd"] {
        set(&data.join(dir), 0o755);
    }
    let outside = root.path().join("outside");
    std::fs::write(&outside, b"not ours").unwrap();
    set(&outside, 0o644);
    std::os::unix::fs::symlink(&outside, data.join("link")).unwrap();
    assert!(is_open_to_others(&data).unwrap());

    // The start of every open: the folder, its files and sled's, not the deep file store.
    tighten(&data, false).unwrap();
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("db")), 0o700);
    assert_eq!(mode(&data.join("db/conf")), 0o600);
    assert_eq!(mode(&data.join("docket.lock")), 0o600);
    assert_eq!(mode(&data.join("files/ab")), 0o755);
    // A folder an older docket left open: everything.
    tighten(&data, true).unwrap();
    assert_eq!(mode(&data.join("files/ab/cd")), 0o700);
    assert_eq!(mode(&data.join("files/ab/cd/blob")), 0o600);
    assert_eq!(mode(&outside), 0o644, "a link's target is not changed");
}
