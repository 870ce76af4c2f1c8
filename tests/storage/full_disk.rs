//! A full disk: writes fail with an error that says so, nothing half written is left, and once
//! space is freed the store opens clean and takes writes again. The disk is a small tmpfs:
//! `.ci/run` mounts one and names it in `DOCKET_FULL_DISK_DIR`; without it the test mounts its
//! own (as root), and fails loudly if it cannot.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use docket_engine::docket::NewUpload;
use docket_engine::model::{Actor, NewContact};
use docket_engine::store::SledStore;

use super::{docket_over, firm_with_work};

/// A small tmpfs, unmounted on drop when the test mounted it itself.
struct SmallDisk {
    path: PathBuf,
    mounted_here: bool,
    _dir: Option<tempfile::TempDir>,
}

impl SmallDisk {
    fn get() -> SmallDisk {
        if let Some(path) = std::env::var_os("DOCKET_FULL_DISK_DIR") {
            let path = PathBuf::from(path);
            assert!(
                is_small_tmpfs(&path),
                "DOCKET_FULL_DISK_DIR={} is not a mounted tmpfs of at most 64 MiB",
                path.display()
            );
            let inner = path.join(format!("run-{}", std::process::id()));
            std::fs::create_dir_all(&inner).unwrap();
            return SmallDisk {
                path: inner,
                mounted_here: false,
                _dir: None,
            };
        }
        let dir = tempfile::tempdir().unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
            .arg(dir.path())
            .status();
        assert!(
            matches!(status, Ok(s) if s.success()),
            "the full-disk test needs a small disk: run as root (it mounts a 16 MiB tmpfs) or set DOCKET_FULL_DISK_DIR to a mounted tmpfs, as .ci/run does ({status:?})"
        );
        SmallDisk {
            path: dir.path().to_path_buf(),
            mounted_here: true,
            _dir: Some(dir),
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if self.mounted_here {
            let _ = Command::new("umount").arg(&self.path).status();
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn is_small_tmpfs(path: &Path) -> bool {
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return false;
    };
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    let mounted = mounts.lines().any(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        fields.len() > 2 && fields[2] == "tmpfs" && Path::new(fields[1]) == real
    });
    let size = Command::new("df")
        .args(["--output=size", "-B1"])
        .arg(&real)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|t| t.lines().nth(1).and_then(|l| l.trim().parse::<u64>().ok()));
    mounted && size.is_some_and(|s| s <= 64 * 1024 * 1024)
}

/// Fills the disk with one file until the OS says there is no space.
fn fill(path: &Path) -> PathBuf {
    let filler = path.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    let block = vec![0xa5u8; 64 * 1024];
    loop {
        match file.write_all(&block) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("filling the disk: {e}"),
        }
    }
    // Smaller writes fill the last partial block too.
    while file.write_all(&[1u8; 512]).is_ok() {}
    let _ = file.sync_all();
    filler
}

pub fn a_full_disk_is_a_clear_error_and_the_store_opens_clean() {
    let disk = SmallDisk::get();
    let data = disk.path.join("data");
    let work = firm_with_work(&data);
    let store = Arc::new(SledStore::open(&data).unwrap());
    let docket = docket_over(store.clone());
    let before = docket
        .add_comment(work, "written before the disk filled", Actor::System)
        .unwrap();
    let filler = fill(&disk.path);

    let upload = NewUpload {
        name: "scan.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: vec![7u8; 256 * 1024],
        task: None,
    };
    let err = docket
        .add_file(work, upload.clone(), Actor::System)
        .unwrap_err()
        .to_string();
    assert!(err.contains("disk") && err.contains("full"), "{err}");
    // Records fail too, sooner or later (sled buffers a little): with the same words.
    let mut record_error = None;
    for i in 0..2000 {
        let new = NewContact {
            name: "Late".into(),
            email: format!("late{i}@client.example"),
            timezone: None,
            locale: None,
        };
        if let Err(e) = docket.create_contact(new, Actor::System) {
            record_error = Some(e.to_string());
            break;
        }
    }
    let record_error = record_error.expect("a full disk refuses records");
    assert!(record_error.contains("full"), "{record_error}");
    drop(docket);
    drop(store);

    std::fs::remove_file(filler).unwrap();
    let store = Arc::new(SledStore::open(&data).expect("the store opens after the disk filled"));
    let docket = docket_over(store);
    assert!(
        docket
            .comments(work)
            .unwrap()
            .iter()
            .any(|c| c.id == before.id),
        "what was written before is there"
    );
    assert_eq!(docket.check(true).unwrap(), Vec::<String>::new());
    let file = docket.add_file(work, upload, Actor::System).unwrap();
    assert_eq!(docket.files(work).unwrap().last().unwrap().id, file.id);
    assert_eq!(docket.check(true).unwrap(), Vec::<String>::new());
}
