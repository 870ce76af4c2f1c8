//! The document's links and examples: how the answer of one operation names the record the next
//! one takes (`POST /api/contacts` answers a contact whose `id` is `{id}` in
//! `/api/contacts/{id}/...`), so a client, and a fuzzer's stateful phase, can follow them from
//! the records that exist. They are derived from the paths and the answers' schemas, never
//! listed by hand: an operation at `C/{x}/...` is linked from every operation at `C` whose
//! answer holds the record, or a list of them.

use serde_json::{Map, Value, json};

/// Adds the links to every successful answer, and examples to the path parameters whose value
/// a reader cannot guess (positions start at 0).
pub(crate) fn add_links_and_examples(document: &mut Value) {
    let schemas = document["components"]["schemas"].clone();
    let Some(paths) = document["paths"].as_object().cloned() else {
        return;
    };
    for (path, item) in &paths {
        let Some(operations) = item.as_object() else {
            continue;
        };
        for (method, operation) in operations {
            for (status, answer) in operation["responses"].as_object().into_iter().flatten() {
                if !status.starts_with('2') {
                    continue;
                }
                let schema = &answer["content"]["application/json"]["schema"];
                let links = links_from(path, schema, &schemas, &paths);
                if !links.is_empty() {
                    document["paths"][path][method]["responses"][status]["links"] =
                        Value::Object(links);
                }
            }
            for (i, parameter) in operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                let example = match parameter["name"].as_str() {
                    Some("group" | "task" | "n") if parameter["in"] == "path" => json!(0),
                    _ => continue,
                };
                if parameter.get("example").is_none() {
                    document["paths"][path][method]["parameters"][i]["example"] = example;
                }
            }
        }
    }
}

/// The links from an answer of `schema` given at `path` to the operations one record further.
fn links_from(
    path: &str,
    schema: &Value,
    schemas: &Value,
    paths: &Map<String, Value>,
) -> Map<String, Value> {
    let mut links = Map::new();
    let prefix = format!("{path}/{{");
    for (target, item) in paths {
        let Some(rest) = target.strip_prefix(&prefix) else {
            continue;
        };
        let Some((name, _)) = rest.split_once('}') else {
            continue;
        };
        // What to do to a record is not a record.
        if name == "action" {
            continue;
        }
        let field = if name == "name" { "name" } else { "id" };
        let Some(pointer) = pointer_to(schema, field, schemas) else {
            continue;
        };
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            let mut parameters = Map::new();
            for earlier in path_parameters(path) {
                parameters.insert(earlier.clone(), json!(format!("$request.path.{earlier}")));
            }
            parameters.insert(name.to_string(), json!(format!("$response.body#{pointer}")));
            links.insert(
                format!("{method}_{id}"),
                json!({
                    "operationId": id,
                    "parameters": parameters,
                    "description": format!("`{name}` of {} {target} is `{pointer}` of this answer", method.to_uppercase()),
                }),
            );
        }
    }
    links
}

/// Where `field` of the record is in an answer of `schema`: the record itself (`/id`), the first
/// of a list (`/0/id`), or the first of a list or the record in one of its properties
/// (`/plugins/0/name`, `/token/id`).
fn pointer_to(schema: &Value, field: &str, schemas: &Value) -> Option<String> {
    let schema = resolve(schema, schemas);
    if schema["type"] == "array" {
        return has(&schema["items"], field, schemas).then(|| format!("/0/{field}"));
    }
    if has(schema, field, schemas) {
        return Some(format!("/{field}"));
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let property = resolve(property, schemas);
        if property["type"] == "array" && has(&property["items"], field, schemas) {
            return Some(format!("/{name}/0/{field}"));
        }
        if has(property, field, schemas) {
            return Some(format!("/{name}/{field}"));
        }
    }
    None
}

fn has(schema: &Value, field: &str, schemas: &Value) -> bool {
    resolve(schema, schemas)["properties"].get(field).is_some()
}

fn resolve<'a>(schema: &'a Value, schemas: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &schemas[name]
        }
        None => schema,
    }
}

fn path_parameters(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_string)
        .collect()
}
