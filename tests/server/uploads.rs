//! Comments and files through the API: a work item's comments and uploads, and a document
//! uploaded to a template reaching the work made from it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::get;
use super::support::{self, Server, http, run_with, stderr};

#[test]
fn comments_and_files_go_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let (_, work) = get(&server, &token, "/api/work?status=planned");
    let id = work[0]["id"].as_str().unwrap().to_string();

    let posted = http()
        .post(server.url(&format!("/api/work/{id}/comments")))
        .bearer_auth(&token)
        .json(&json!({ "body": "Where is the P60?" }))
        .send()
        .unwrap();
    assert_eq!(posted.status(), StatusCode::CREATED);
    let empty = http()
        .post(server.url(&format!("/api/work/{id}/comments")))
        .bearer_auth(&token)
        .json(&json!({ "body": " " }))
        .send()
        .unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, comments) = get(&server, &token, &format!("/api/work/{id}/comments"));
    assert_eq!(comments.as_array().unwrap().len(), 1);

    let pdf = b"%PDF-1.7 a statement".to_vec();
    let uploaded = http()
        .post(server.url(&format!(
            "/api/work/{id}/files?name=..%2Fbank.pdf&group=0&task=1"
        )))
        .bearer_auth(&token)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let file: Value = uploaded.json().unwrap();
    assert_eq!(file["name"], "bank.pdf");
    let download = http()
        .get(server.url(&format!(
            "/api/work/{id}/files/{}",
            file["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"bank.pdf\"; filename*=UTF-8''bank.pdf"
    );
    assert_eq!(download.bytes().unwrap().to_vec(), pdf);

    // Oversized uploads are refused before they are read, and nothing is stored.
    let too_big = http()
        .post(server.url(&format!("/api/work/{id}/files?name=huge.bin")))
        .bearer_auth(&token)
        .body(vec![0u8; 51 * 1024 * 1024])
        .send()
        .unwrap();
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A multipart form (what `curl -F` and browsers send) is refused, never stored whole.
    let form = http()
        .post(server.url(&format!("/api/work/{id}/files?name=x.txt")))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\n\r\nhi\r\n--XyZ--\r\n")
        .send()
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(form.text().unwrap().contains("--data-binary"));
    let (_, files) = get(&server, &token, &format!("/api/work/{id}/files"));
    assert_eq!(files.as_array().unwrap().len(), 1);
    // The bytes are a file of their own under the data folder, named by their hash.
    let sha = file["content"]["sha256"].as_str().unwrap();
    let on_disk = dir.path().join("files").join(&sha[..2]).join(sha);
    assert_eq!(std::fs::read(on_disk).unwrap(), pdf);
    let (_, timeline) = get(&server, &token, &format!("/api/work/{id}/timeline"));
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(&kinds[..2], ["file_uploaded", "comment_added"]);
}

#[test]
fn a_document_uploaded_to_a_template_reaches_the_work_made_from_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--demo"]);
    let token = server.banner_value("API token:").unwrap();
    let base = "/api/templates/Annual%20tax%20return/groups/0/tasks/0/documents";
    let post = |path: &str, body: Vec<u8>| {
        http()
            .post(server.url(path))
            .bearer_auth(&token)
            .header("content-type", "application/pdf")
            .body(body)
            .send()
            .unwrap()
    };
    let letter = b"%PDF-1.7 engagement letter".to_vec();
    let added = post(
        &format!("{base}?name=..%2FEngagement%20letter.pdf"),
        letter.clone(),
    );
    assert_eq!(added.status(), StatusCode::CREATED);
    let template: Value = added.json().unwrap();
    let doc = &template["groups"][0]["tasks"][0]["documents"][0];
    assert_eq!(doc["name"], "Engagement letter.pdf");
    assert_eq!(doc["file"]["content"]["size"], letter.len());

    // Bad input is refused and changes nothing.
    let nowhere = post(
        "/api/templates/Annual%20tax%20return/groups/0/tasks/99/documents?name=x.pdf",
        letter.clone(),
    );
    assert_eq!(nowhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nowhere.text().unwrap().contains("no task 99 in group 0"));
    let unnamed = post(base, letter.clone());
    assert_eq!(unnamed.status(), StatusCode::BAD_REQUEST);
    assert!(
        unnamed
            .text()
            .unwrap()
            .contains("the query string (after `?`) is missing `name`")
    );
    let empty = post(&format!("{base}?name=empty.pdf"), Vec::new());
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = post(
        "/api/templates/No%20such/groups/0/tasks/0/documents?name=x.pdf",
        letter.clone(),
    );
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let too_big = post(
        &format!("{base}?name=huge.pdf"),
        vec![0u8; 51 * 1024 * 1024],
    );
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let named = http()
        .post(server.url("/api/templates"))
        .bearer_auth(&token)
        .json(
            &json!({ "name": "Forged", "groups": [{ "name": "G", "tasks": [{
            "title": "T", "due_offset_days": 1, "documents": [{ "name": "x", "file": {
                "id": "01J00000000000000000000000", "content_type": "text/plain",
                "content": { "sha256": "00", "size": 1 } } }] }] }] }),
        )
        .send()
        .unwrap();
    assert_eq!(named.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, template) = get(&server, &token, "/api/templates/Annual%20tax%20return");
    assert_eq!(
        template["groups"][0]["tasks"][0]["documents"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A date chrono cannot read says which format to write.
    let bad_date = http()
        .post(server.url("/api/work"))
        .bearer_auth(&token)
        .json(
            &json!({ "template": "Annual tax return", "start_date": "04/01/2027",
            "contacts": ["ann@archer-consulting.example"] }),
        )
        .send()
        .unwrap();
    assert_eq!(bad_date.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = bad_date.text().unwrap();
    assert!(
        said.contains("start_date: 04/01/2027 is not a date: write it as YYYY-MM-DD"),
        "{said}"
    );

    // Work made from the template carries the document on the same task, for its client.
    let create = |contact: &str| -> String {
        let made = http()
            .post(server.url("/api/work"))
            .bearer_auth(&token)
            .json(
                &json!({ "template": "Annual tax return", "start_date": "2027-01-04",
                "contacts": [contact] }),
            )
            .send()
            .unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        made.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = create("ann@archer-consulting.example");
    let (_, files) = get(&server, &token, &format!("/api/work/{first}/files"));
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    assert_eq!(files[0]["name"], "Engagement letter.pdf");
    assert_eq!(files[0]["task"], json!([0, 0]));
    let download = http()
        .get(server.url(&format!(
            "/api/work/{first}/files/{}",
            files[0]["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(download.bytes().unwrap().to_vec(), letter);

    // Removing it from the template leaves work already made as it was.
    let removed = http()
        .delete(server.url(&format!("{base}/0")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(removed.status(), StatusCode::OK);
    let missing = http()
        .delete(server.url(&format!("{base}/0")))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let second = create("carol@chen-design.example");
    let (_, files) = get(&server, &token, &format!("/api/work/{second}/files"));
    assert_eq!(files.as_array().unwrap().len(), 0);
    let (_, files) = get(&server, &token, &format!("/api/work/{first}/files"));
    assert_eq!(files.as_array().unwrap().len(), 1);

    assert!(server.stop().success());
    let check = run_with(support::docket().arg("check").arg("--data").arg(dir.path()));
    assert!(check.status.success(), "{}", stderr(&check));
}
