//! Client uploads: names cleaned, types sniffed, the cap enforced while the body streams (and
//! before it is read when its size is declared), staff downloads always as attachments.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::StatusCode;

use super::{Portal, client};

const BOUNDARY: &str = "----docketTestBoundary7MA4YWxkTrZu0gW";

fn multipart(file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Uploads `bytes` as `file_name` through the portal's form, as a browser would.
pub fn upload(
    portal: &Portal,
    cookie: &str,
    path: &str,
    file_name: &str,
    bytes: &[u8],
) -> reqwest::blocking::Response {
    client()
        .post(portal.url(path))
        .header("Origin", &portal.base)
        .header("Cookie", cookie)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(file_name, bytes))
        .send()
        .unwrap()
}

#[test]
fn names_are_cleaned_types_sniffed_and_staff_download_html_as_an_attachment() {
    let portal = Portal::start();
    let cookie = portal.bind(0);
    let path = format!("{}/tasks/2/upload", portal.checklist(0));
    for (raw, _) in [
        ("../../etc/passwd", ""),
        ("invoice\u{202E}fdp.exe", ""),
        ("evil\r\nSet-Cookie: x=1.pdf", ""),
        ("<img src=x onerror=alert(1)>.html", ""),
    ] {
        let response = upload(
            &portal,
            &cookie,
            &path,
            raw,
            b"<!doctype html><script>alert(1)</script>",
        );
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{raw:?}");
    }
    // A name sent through the API may carry CR/LF (a browser's form cannot: it escapes them).
    let (_, token) = portal
        .docket
        .create_api_token(
            "test",
            docket_engine::model::Role::Admin,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap();
    let api = client()
        .post(portal.url(&format!(
            "/api/work/{}/files?name=evil%0D%0ASet-Cookie%3A%20x%3D1.pdf&group=0&task=1",
            portal.work
        )))
        .bearer_auth(&token)
        .header("Content-Type", "application/pdf")
        .body("<html><body>not a pdf</body></html>")
        .send()
        .unwrap();
    assert_eq!(api.status(), StatusCode::CREATED);
    let half = client()
        .post(portal.url(&format!(
            "/api/work/{}/files?name=guide.pdf&task=1",
            portal.work
        )))
        .bearer_auth(&token)
        .body("%PDF-1.4")
        .send()
        .unwrap();
    assert_eq!(
        half.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a task needs its group"
    );
    let files = portal.docket.files(portal.work).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    // A raw CR/LF inside a form's part header leaves no name to keep: the file gets a plain one.
    assert_eq!(
        names,
        [
            "passwd",
            "invoicefdp.exe",
            "upload",
            "img src=x onerror=alert(1).html",
            "evilSet-Cookie x=1.pdf"
        ]
    );
    assert!(
        files[..4].iter().all(|f| f.content_type == "text/html"),
        "sniffed from the bytes, not the claimed application/pdf: {files:?}"
    );
    // The client's page lists them, escaped, and offers no download of them.
    let html = portal
        .get(&portal.checklist(0), Some(&cookie))
        .text()
        .unwrap();
    assert!(html.contains("img src=x onerror=alert(1).html"));
    assert!(!html.contains("<img src=x"));
    for f in &files[..4] {
        assert!(
            !html.contains(&f.id.to_string()),
            "no link to a client's own upload"
        );
        let through_portal = portal.get(
            &format!("{}/documents/{}", portal.checklist(0), f.id),
            Some(&cookie),
        );
        assert_eq!(through_portal.status(), StatusCode::NOT_FOUND);
    }
    // Staff get it as a download that a browser will not render.
    let download = client()
        .get(portal.url(&format!("/api/work/{}/files/{}", portal.work, files[3].id)))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    let headers = download.headers().clone();
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(
        download.bytes().unwrap().as_ref(),
        b"<!doctype html><script>alert(1)</script>"
    );
}

#[test]
fn a_document_staff_attach_is_downloadable_by_its_client_only() {
    let portal = Portal::start();
    let ann = portal.bind(0);
    let bob = portal.bind(1);
    let doc = portal
        .docket
        .add_file(
            portal.work,
            docket_engine::docket::NewUpload {
                name: "Engagement letter.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4 letter".to_vec(),
                task: Some((0, 0)),
            },
            docket_engine::model::Actor::Api("staff".into()),
        )
        .unwrap();
    let html = portal.get(&portal.checklist(0), Some(&ann)).text().unwrap();
    assert!(html.contains("Engagement letter.pdf"), "{html}");
    let url = format!("{}/documents/{}", portal.checklist(0), doc.id);
    let got = portal.get(&url, Some(&ann));
    assert_eq!(got.status(), StatusCode::OK);
    assert!(
        got.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(got.bytes().unwrap().as_ref(), b"%PDF-1.4 letter");
    // Bob's device cannot fetch it, under his group's path or Ann's.
    assert_eq!(portal.get(&url, Some(&bob)).status(), StatusCode::NOT_FOUND);
    let via_bob = format!("{}/documents/{}", portal.checklist(1), doc.id);
    assert_eq!(
        portal.get(&via_bob, Some(&bob)).status(),
        StatusCode::NOT_FOUND
    );
}

/// The process's peak resident memory, in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn raw_request(portal: &Portal, path: &str, cookie: &str, headers: &str) -> TcpStream {
    let address = portal.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nOrigin: {}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n{headers}\r\n",
        portal.base
    )
    .unwrap();
    stream
}

fn read_status(stream: &mut TcpStream) -> Option<u16> {
    let mut buf = [0u8; 512];
    let n = stream.read(&mut buf).ok()?;
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split(' ').nth(1)?.parse().ok()
}

#[test]
fn an_upload_over_the_cap_is_refused_before_or_while_it_streams() {
    const CAP: u64 = 4 * 1_048_576;
    let portal = Portal::with_cap(CAP);
    let cookie = portal.bind(0);
    let path = format!("{}/tasks/2/upload", portal.checklist(0));

    // Declared too large: the answer comes before a byte of the body is sent.
    let mut stream = raw_request(&portal, &path, &cookie, "Content-Length: 2000000000\r\n");
    assert_eq!(read_status(&mut stream), Some(413));

    // Undeclared (chunked): read only up to the cap, then refused; memory stays flat.
    let before = peak_rss_kib();
    let mut stream = raw_request(&portal, &path, &cookie, "Transfer-Encoding: chunked\r\n");
    let preamble = multipart("big.bin", b"");
    let preamble = &preamble[..preamble.len() - format!("\r\n--{BOUNDARY}--\r\n").len()];
    write!(stream, "{:x}\r\n", preamble.len()).unwrap();
    stream.write_all(preamble).unwrap();
    stream.write_all(b"\r\n").unwrap();
    let chunk = vec![b'x'; 256 * 1024];
    let mut sent: u64 = 0;
    let total: u64 = 256 * 1_048_576;
    while sent < total {
        let wrote = write!(stream, "{:x}\r\n", chunk.len())
            .and_then(|()| stream.write_all(&chunk))
            .and_then(|()| stream.write_all(b"\r\n"));
        if wrote.is_err() {
            break;
        }
        sent += chunk.len() as u64;
    }
    let status = read_status(&mut stream);
    assert!(
        sent < total,
        "the server stopped reading at the cap; it took all {sent} bytes"
    );
    assert!(
        matches!(status, Some(413) | None),
        "refused with 413 (or the connection closed): {status:?}"
    );
    let grew_mib = (peak_rss_kib().saturating_sub(before)) / 1024;
    assert!(
        grew_mib < 64,
        "peak memory grew by {grew_mib} MiB for a refused upload"
    );
    assert!(
        portal.docket.files(portal.work).unwrap().is_empty(),
        "nothing stored"
    );

    // Exactly at the cap is accepted.
    let response = upload(&portal, &cookie, &path, "ok.bin", &vec![0u8; CAP as usize]);
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // One byte over is refused with a page that says the limit.
    let response = upload(
        &portal,
        &cookie,
        &path,
        "big.bin",
        &vec![0u8; CAP as usize + 1],
    );
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(response.text().unwrap().contains("at most 4 MB"));
    assert_eq!(portal.docket.files(portal.work).unwrap().len(), 1);
}

#[test]
fn a_work_items_upload_quota_and_a_devices_rate_are_refused_plainly() {
    use docket_engine::config::UploadQuota;
    let portal = Portal::with_quota(UploadQuota {
        files_per_work: 3,
        bytes_per_work: 64 * 1024,
        per_device_per_hour: 2,
    });
    let ann = portal.bind(0);
    let path = format!("{}/tasks/2/upload", portal.checklist(0));
    let send = |name: &str, bytes: &[u8]| upload(&portal, &ann, &path, name, bytes);
    assert_eq!(send("a.pdf", b"%PDF-1.4 a").status(), StatusCode::SEE_OTHER);
    assert_eq!(send("b.pdf", b"%PDF-1.4 b").status(), StatusCode::SEE_OTHER);
    // A third within the hour: too fast for this device.
    let fast = send("c.pdf", b"%PDF-1.4 c");
    assert_eq!(fast.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = fast.text().unwrap();
    assert!(
        html.contains("the most we take from one device") && html.contains("Back to my checklist"),
        "{html}"
    );
    // An hour later: the third goes in; a fourth passes the work item's count.
    portal.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(send("c.pdf", b"%PDF-1.4 c").status(), StatusCode::SEE_OTHER);
    let full = send("d.pdf", b"%PDF-1.4 d");
    assert_eq!(full.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = full.text().unwrap();
    assert!(html.contains("already has 3 files"), "{html}");
    assert_eq!(portal.docket.files(portal.work).unwrap().len(), 3);
    // Staff see the refusal on the timeline.
    let timeline = portal.docket.work_timeline(portal.work, 100).unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| e.summary.starts_with("An upload was refused")),
        "{timeline:?}"
    );
}

#[test]
fn a_work_items_bytes_are_capped_before_the_file_is_read() {
    use docket_engine::config::UploadQuota;
    let portal = Portal::with_quota(UploadQuota {
        bytes_per_work: 100 * 1024,
        ..UploadQuota::default()
    });
    let ann = portal.bind(0);
    let path = format!("{}/tasks/2/upload", portal.checklist(0));
    let big = vec![b'x'; 90 * 1024];
    assert_eq!(
        upload(&portal, &ann, &path, "a.txt", &big).status(),
        StatusCode::SEE_OTHER
    );
    let refused = upload(&portal, &ann, &path, "b.txt", &big);
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = refused.text().unwrap();
    assert!(
        html.contains("at most 100 KB of files") && html.contains("room for 10 KB more"),
        "{html}"
    );
    assert_eq!(portal.docket.files(portal.work).unwrap().len(), 1);
}

#[test]
fn a_program_named_as_a_pdf_is_flagged_to_staff() {
    let portal = Portal::start();
    let ann = portal.bind(0);
    let path = format!("{}/tasks/2/upload", portal.checklist(0));
    // A Windows program's first bytes.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.resize(512, 0);
    exe[0x3c] = 0x80;
    exe.extend_from_slice(b"PE\0\0");
    assert_eq!(
        upload(&portal, &ann, &path, "invoice.pdf", &exe).status(),
        StatusCode::SEE_OTHER
    );
    let file = portal
        .docket
        .files(portal.work)
        .unwrap()
        .pop()
        .expect("stored");
    let mismatch = file.type_mismatch.clone().expect("flagged");
    assert_eq!(mismatch.name_says, ".pdf");
    assert_ne!(mismatch.content_is, "application/pdf");
    // The API's file object says so, and a staff download is named for what it is.
    let (_, token) = portal
        .docket
        .create_api_token(
            "staff",
            docket_engine::model::Role::Staff,
            docket_engine::model::TokenCreator::CommandLine,
        )
        .unwrap();
    let listed: serde_json::Value = client()
        .get(portal.url(&format!("/api/work/{}/files", portal.work)))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(listed[0]["type_mismatch"]["name_says"], ".pdf", "{listed}");
    let got = client()
        .get(portal.url(&format!("/api/work/{}/files/{}", portal.work, file.id)))
        .bearer_auth(&token)
        .send()
        .unwrap();
    let disposition = got.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("invoice.pdf."), "{disposition}");
    assert!(!disposition.ends_with("invoice.pdf\""), "{disposition}");
}
