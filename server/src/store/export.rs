//! What the customer's export reads (`crate::export`): each table that holds their data, as a
//! [`Section`] of named, typed columns, read in short pages after the last row of the page
//! before (keyset), every page a query of its own on the pool: no read transaction stays open
//! for the whole export (on SQLite it would hold the checkpoint back while a slow client reads).
//! Secrets (password and token hashes, checkout secrets) are in no section, nor are other
//! people's ids (who used an invitation code, which staff member decided an application).

use super::{Store, StoreError};
use serde_json::{Map, Value};
use sqlx::Row;

/// How a column is read and written out.
#[derive(Clone, Copy)]
pub enum Kind {
    /// An integer (or NULL).
    Int,
    /// Text (or NULL).
    Text,
    /// Text holding JSON (questionnaire answers), written out as the JSON it holds.
    Json,
}

/// One table's rows of an owner (a customer or a card), in a stable order.
pub struct Section {
    /// The name in the export.
    pub name: &'static str,
    table: &'static str,
    /// The column naming the owner.
    owner: &'static str,
    /// The order, and the cursor: an integer column, then a unique text column.
    order: (&'static str, &'static str),
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::{Int, Json, Text};

/// The customer's own rows.
pub const PROFILE: Section = Section {
    name: "profile",
    table: "customers",
    owner: "id",
    order: ("created_at", "id"),
    columns: &[
        ("id", Text),
        ("email", Text),
        ("display_name", Text),
        ("phone", Text),
        ("preferred_language", Text),
        ("terms_version", Text),
        ("terms_accepted_at", Int),
        ("marketing_opt_in", Int),
        ("marketing_updated_at", Int),
        ("created_at", Int),
    ],
};

/// Sections owned by the customer (after the profile).
pub const OF_CUSTOMER: [Section; 3] = [
    Section {
        name: "consents",
        table: "consents",
        owner: "customer_id",
        order: ("at", "id"),
        columns: &[
            ("kind", Text),
            ("program_id", Text),
            ("version", Text),
            ("granted", Int),
            ("at", Int),
        ],
    },
    Section {
        name: "sessions",
        table: "sessions",
        owner: "customer_id",
        order: ("created_at", "id"),
        columns: &[
            ("user_agent", Text),
            ("created_at", Int),
            ("last_used_at", Int),
        ],
    },
    Section {
        name: "program_applications",
        table: "program_applications",
        owner: "customer_id",
        order: ("applied_at", "id"),
        columns: &[
            ("program_id", Text),
            ("status", Text),
            ("answers", Json),
            ("invitation_code", Text),
            ("applied_at", Int),
            ("decided_at", Int),
            ("reason", Text),
        ],
    },
];

/// The customer's cards, each followed by [`OF_CARD`].
pub const CARDS: Section = Section {
    name: "cards",
    table: "cards",
    owner: "customer_id",
    order: ("enrolled_at", "id"),
    columns: &[
        ("id", Text),
        ("program_id", Text),
        ("number", Text),
        ("balance", Int),
        ("pending", Int),
        ("terms_version", Text),
        ("enrolled_at", Int),
        ("closed_at", Int),
        ("total_spend", Int),
        ("purchase_count", Int),
        ("last_purchase_at", Int),
    ],
};

/// The id column of [`CARDS`], which owns [`OF_CARD`].
pub const CARD_ID: &str = "id";

/// Sections owned by a card; the ledger first (the CSV's too).
pub const OF_CARD: [Section; 7] = [
    LEDGER,
    Section {
        name: "purchases",
        table: "purchases",
        owner: "card_id",
        order: ("created_at", "id"),
        columns: &[
            ("amount_minor", Int),
            ("currency", Text),
            ("place", Text),
            ("points", Int),
            ("welcome_points", Int),
            ("created_at", Int),
        ],
    },
    Section {
        name: "vouchers",
        table: "vouchers",
        owner: "card_id",
        order: ("issued_at", "id"),
        columns: &[
            ("code", Text),
            ("reward_id", Text),
            ("title", Text),
            ("voucher", Json),
            ("cost", Int),
            ("status", Text),
            ("issued_at", Int),
            ("expires_at", Int),
            ("ended_at", Int),
        ],
    },
    Section {
        name: "club_memberships",
        table: "memberships",
        owner: "card_id",
        order: ("joined_at", "id"),
        columns: &[
            ("club_id", Text),
            ("status", Text),
            ("joined_at", Int),
            ("ends_at", Int),
            ("auto_renew", Int),
            ("ended_at", Int),
        ],
    },
    Section {
        name: "club_applications",
        table: "club_applications",
        owner: "card_id",
        order: ("applied_at", "id"),
        columns: &[
            ("club_id", Text),
            ("status", Text),
            ("answers", Json),
            ("invitation_code", Text),
            ("applied_at", Int),
            ("decided_at", Int),
            ("reason", Text),
        ],
    },
    Section {
        name: "invitation_codes",
        table: "club_invitations",
        owner: "card_id",
        order: ("created_at", "code"),
        columns: &[
            ("code", Text),
            ("club_id", Text),
            ("status", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("used_at", Int),
        ],
    },
    Section {
        name: "club_fees",
        table: "club_fees",
        owner: "card_id",
        order: ("created_at", "id"),
        columns: &[
            ("club_id", Text),
            ("amount_minor", Int),
            ("currency", Text),
            ("place", Text),
            ("created_at", Int),
        ],
    },
];

/// A card's ledger, in its order.
pub const LEDGER: Section = Section {
    name: "ledger",
    table: "ledger_entries",
    owner: "card_id",
    order: ("seq", "id"),
    columns: &[
        ("seq", Int),
        ("kind", Text),
        ("amount", Int),
        ("reason", Text),
        ("place", Text),
        ("spend_minor", Int),
        ("created_at", Int),
    ],
};

/// Where the next page starts: after the row with these order values.
#[derive(Clone, Debug, Default)]
pub struct Cursor(Option<(i64, String)>);

/// A page of at most `limit` rows of `section` owned by `owner`, after `cursor`, each a JSON
/// object of the section's columns; the cursor moves past them. One query, no transaction.
pub async fn page(
    store: &Store,
    section: &Section,
    owner: &str,
    cursor: &mut Cursor,
    limit: i64,
) -> Result<Vec<Map<String, Value>>, StoreError> {
    let (by, then) = section.order;
    let names: Vec<&str> = section.columns.iter().map(|(name, _)| *name).collect();
    let after = if cursor.0.is_some() {
        format!("AND ({by} > $2 OR ({by} = $2 AND {then} > $3))")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {by} AS cursor_by, {then} AS cursor_then, {columns} FROM {table}
         WHERE {owner} = $1 {after} ORDER BY {by}, {then} LIMIT {limit}",
        columns = names.join(", "),
        table = section.table,
        owner = section.owner,
    );
    let mut query = sqlx::query(&sql).bind(owner);
    if let Some((by, then)) = &cursor.0 {
        query = query.bind(*by).bind(then.clone());
    }
    let rows = query.fetch_all(&store.pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let mut object = Map::new();
        for (name, kind) in section.columns {
            let value = match kind {
                Int => row
                    .try_get::<Option<i64>, _>(*name)?
                    .map_or(Value::Null, Value::from),
                Text => row
                    .try_get::<Option<String>, _>(*name)?
                    .map_or(Value::Null, Value::from),
                Json => row
                    .try_get::<Option<String>, _>(*name)?
                    .map_or(Value::Null, |text| {
                        serde_json::from_str(&text).unwrap_or(Value::String(text))
                    }),
            };
            object.insert((*name).to_owned(), value);
        }
        out.push(object);
    }
    if let Some(last) = rows.last() {
        cursor.0 = Some((last.try_get("cursor_by")?, last.try_get("cursor_then")?));
    }
    Ok(out)
}
