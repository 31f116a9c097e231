//! The changed fields of one ledger entry: `{"field": [before, after], …}` as stored, the
//! `changes { field before after }` list and the `before`/`after` documents the API shows.
use serde::Serialize;
use serde_json::{Map, Value};

/// Fields a diff leaves out: the entry has the version in a column of its own, and its `at`
/// is the time the entity was updated.
const NOT_CHANGES: [&str; 2] = ["version", "updatedAt"];

/// The fields one write changed, each with its value before and after.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes(Map<String, Value>);

impl Changes {
    /// The fields that differ between two documents (objects of public field names; `Null`
    /// for "did not exist", so a create lists its set fields and a removal its last values).
    pub fn between(before: &Value, after: &Value) -> Self {
        let empty = Map::new();
        let old = before.as_object().unwrap_or(&empty);
        let new = after.as_object().unwrap_or(&empty);
        let mut changes = Self::default();
        for field in old.keys().chain(new.keys()) {
            if NOT_CHANGES.contains(&field.as_str()) || changes.0.contains_key(field) {
                continue;
            }
            let b = old.get(field).unwrap_or(&Value::Null);
            let a = new.get(field).unwrap_or(&Value::Null);
            if b != a {
                changes
                    .0
                    .insert(field.clone(), Value::Array(vec![b.clone(), a.clone()]));
            }
        }
        changes
    }

    /// A document of what `value` serializes to, for [`Changes::between`].
    pub fn document<T: Serialize>(value: &T) -> Value {
        serde_json::to_value(value).unwrap_or(Value::Null)
    }

    /// Records one field (no change when `before == after`).
    pub fn push(&mut self, field: &str, before: Value, after: Value) {
        if before != after {
            self.0
                .insert(field.to_owned(), Value::Array(vec![before, after]));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As JSON text, for a bulk write that binds documents as text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned())
    }

    /// A document of the changed fields' values after the write.
    pub fn into_after(self) -> Map<String, Value> {
        self.0
            .into_iter()
            .map(|(field, pair)| match pair {
                Value::Array(mut both) if both.len() == 2 => (field, both.remove(1)),
                other => (field, other),
            })
            .collect()
    }

    /// As stored in the ledger's `changes` column.
    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }
}

/// One changed field of a stored entry (as the API and webhook bodies show it).
#[derive(Debug, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// The stored `changes` of an entry, field by field (in field-name order).
pub fn fields(stored: &Value) -> Vec<FieldChange> {
    let Some(map) = stored.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(field, pair)| FieldChange {
            field: field.clone(),
            before: pair.get(0).cloned().unwrap_or(Value::Null),
            after: pair.get(1).cloned().unwrap_or(Value::Null),
        })
        .collect()
}

/// The `before` and `after` documents of an entry: its changed fields with their values, and
/// the version before and after. A create has no `before`, a removal no `after`.
pub fn documents(stored: &Value, version: Option<i32>) -> (Option<Value>, Option<Value>) {
    let mut before = Map::new();
    let mut after = Map::new();
    for c in fields(stored) {
        before.insert(c.field.clone(), c.before);
        after.insert(c.field, c.after);
    }
    let created = match version {
        Some(v) => v == 1,
        None => before.values().all(Value::is_null),
    };
    let removed = version.is_none() && after.values().all(Value::is_null);
    if let Some(v) = version {
        if v > 1 {
            before.insert("version".into(), Value::from(v - 1));
        }
        after.insert("version".into(), Value::from(v));
    }
    (
        (!created).then_some(Value::Object(before)),
        (!removed).then_some(Value::Object(after)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_update_keeps_the_changed_fields_and_shows_both_versions() {
        let before = json!({"name": "A", "tier": null, "version": 2, "updatedAt": "x"});
        let after = json!({"name": "B", "tier": null, "version": 3, "updatedAt": "y"});
        let changes = Changes::between(&before, &after).into_json();
        assert_eq!(changes, json!({"name": ["A", "B"]}));
        let (b, a) = documents(&changes, Some(3));
        assert_eq!(b, Some(json!({"name": "A", "version": 2})));
        assert_eq!(a, Some(json!({"name": "B", "version": 3})));
    }

    #[test]
    fn a_create_has_no_before_and_a_removal_no_after() {
        let fields = json!({"name": "N", "tier": null, "version": 1});
        let created = Changes::between(&Value::Null, &fields).into_json();
        assert_eq!(created, json!({"name": [null, "N"]}));
        assert_eq!(documents(&created, Some(1)).0, None);
        let removed = Changes::between(&fields, &Value::Null).into_json();
        assert_eq!(removed, json!({"name": ["N", null]}));
        assert_eq!(documents(&removed, None).1, None);
    }
}
