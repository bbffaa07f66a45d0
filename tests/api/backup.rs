//! `export` / `import`: a complete backup that moves a site between backends,
//! and several nodes on one database; `seed --synthetic`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    fresh_postgres_database, postgres_server, spawn_app, spawn_app_with, SAMPLE_SLUG,
};

/// A database and the media folder beside it.
struct Place {
    url: String,
    media: PathBuf,
    /// An S3 bucket and prefix instead of `media`, when the suite runs on S3.
    store: Option<String>,
}

impl Place {
    fn of(app: &crate::helpers::TestApp) -> Self {
        Self {
            url: app.database_url.clone(),
            media: app.media_dir.clone(),
            store: app.media_store.clone(),
        }
    }

    /// A fresh, empty database of the kind the suite runs on, and a folder.
    fn empty(dir: &tempfile::TempDir, name: &str) -> Self {
        let url = match postgres_server() {
            Some(server) => fresh_postgres_database(&server),
            None => format!("sqlite://{}", dir.path().join(name).display()),
        };
        Self::with(url, dir.path().join(format!("{name}.media")))
    }

    fn with(url: String, media: PathBuf) -> Self {
        let store = std::env::var("TEST_MEDIA_STORE").ok().map(|bucket| {
            format!(
                "{}/place-{}",
                bucket.trim_end_matches('/'),
                crate::helpers::rand_suffix()
            )
        });
        Self { url, media, store }
    }

    /// The variables that make an app serve this place.
    fn vars(&self) -> Vec<(&str, &str)> {
        let mut vars = vec![
            ("DATABASE_URL", self.url.as_str()),
            ("MEDIA_DIR", self.media.to_str().unwrap()),
        ];
        if let Some(store) = &self.store {
            vars.push(("MEDIA_STORE", store));
        }
        vars
    }
}

fn cli(place: &Place, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clinic-cms"));
    command
        .args(args)
        .env_clear()
        .env("DATABASE_URL", &place.url)
        .env("MEDIA_DIR", &place.media)
        .env("RUST_LOG", "error");
    if let Some(store) = &place.store {
        command.env("MEDIA_STORE", store);
        for (key, value) in std::env::vars().filter(|(k, _)| k.starts_with("AWS_")) {
            command.env(key, value);
        }
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run clinic-cms");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn export(place: &Place) -> Vec<u8> {
    let out = cli(place, &["export"], None);
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn import(place: &Place, backup: &[u8], replace: bool) -> Output {
    let args: &[&str] = if replace {
        &["import", "-", "--replace"]
    } else {
        &["import", "-"]
    };
    cli(place, args, Some(backup))
}

/// Content with something of every kind, written through the API.
async fn site_with_edits() -> crate::helpers::TestApp {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .upload(
            &token,
            "cover.jpg",
            crate::images::phone_jpeg(700, 400),
            &[("alt", "A calm room")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let cover = res.json::<serde_json::Value>().await.unwrap()["data"]["id"].clone();
    app.create_article(&token, &json!({"title": "Backed Up", "cover": cover, "body": {"markdown": "Keep **this**."}, "tags": ["posture"], "related": [SAMPLE_SLUG], "status": "published"})).await;
    let (_, _) = app.user_with_role("editor").await;
    let res = app
        .post(
            "/api/v1/admin/faqs",
            &token,
            &json!({"question": "Standalone?", "answer": {"markdown": "Yes."}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    app
}

#[tokio::test]
async fn an_export_imported_elsewhere_exports_identically_and_serves_the_same() {
    let source = site_with_edits().await;
    source.stop().await;
    let first = export(&Place::of(&source));
    let text = String::from_utf8(first.clone()).unwrap();
    assert!(text.contains("\"format\": \"clinic-cms-backup\""));
    assert!(text.contains("$argon2id$"), "password hashes are kept");
    assert!(
        !text.contains("refresh_tokens") && !text.contains("token_hash"),
        "sessions are not"
    );

    let dir = tempfile::tempdir().unwrap();
    let target = Place::empty(&dir, "target.db");
    let out = import(&target, &first, false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        export(&target),
        first,
        "export -> import -> export is identical"
    );

    let app = spawn_app_with(&target.vars()).await;
    let article = app.get_article("backed-up").await;
    assert_eq!(article["related"][0]["slug"], SAMPLE_SLUG);
    // The images came along: the original as it was, variants made again.
    assert!(text.contains("\"media_files\""));
    let cover = &article["cover"];
    assert_eq!(cover["alt"], "A calm room");
    for url in [
        cover["src"].as_str().unwrap(),
        &cover["src"]
            .as_str()
            .unwrap()
            .replace("original.jpg", "320.webp"),
    ] {
        let res = app.get(url).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
    }
    // Passwords survive; new rows get new ids after the imported ones.
    let token = app.admin_token().await;
    let (id, _) = app
        .create_article(&token, &json!({"title": "After Import"}))
        .await;
    assert!(id > 6);
}

#[tokio::test]
async fn sqlite_to_postgres_and_back_is_identical() {
    let Some(server) = postgres_server() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set (CI sets it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Place::with(
        format!("sqlite://{}", dir.path().join("source.db").display()),
        dir.path().join("source.media"),
    );
    let source = spawn_app_with(&sqlite.vars()).await;
    let token = source.admin_token().await;
    source
        .create_article(
            &token,
            &json!({"title": "Moving House", "body": {"markdown": "A *move*."}}),
        )
        .await;
    source.stop().await;
    let from_sqlite = export(&sqlite);

    let postgres = Place::with(
        fresh_postgres_database(&server),
        dir.path().join("postgres.media"),
    );
    assert!(import(&postgres, &from_sqlite, false).status.success());
    let from_postgres = export(&postgres);
    assert_eq!(
        from_postgres, from_sqlite,
        "SQLite -> PostgreSQL keeps every byte"
    );

    let back = Place::with(
        format!("sqlite://{}", dir.path().join("back.db").display()),
        dir.path().join("back.media"),
    );
    assert!(import(&back, &from_postgres, false).status.success());
    assert_eq!(export(&back), from_sqlite, "and back again");
}

#[tokio::test]
async fn import_refuses_content_and_a_failed_import_changes_nothing() {
    let app = spawn_app().await;
    app.stop().await;
    let place = Place::of(&app);
    let backup = export(&place);
    let out = import(&place, &backup, false);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--replace"));

    // A backup whose FAQ points at a missing article fails as a whole, even with --replace.
    let broken = String::from_utf8(backup.clone()).unwrap().replacen(
        "\"article_id\":1,",
        "\"article_id\":999,",
        1,
    );
    assert_ne!(broken.as_bytes(), backup.as_slice());
    let out = import(&place, broken.as_bytes(), true);
    assert!(!out.status.success(), "a broken backup must not load");
    assert_eq!(export(&place), backup, "nothing changed");

    let out = import(&place, b"{\"format\": \"something else\"}", true);
    assert!(!out.status.success());
    assert_eq!(export(&place), backup);
    assert!(
        import(&place, &backup, true).status.success(),
        "--replace loads a good one"
    );
}

#[tokio::test]
async fn two_nodes_on_one_database_see_each_others_writes() {
    let first = spawn_app().await;
    let second = spawn_app_with(&[("DATABASE_URL", &first.database_url)]).await;
    let token = first.admin_token().await;
    // A token from one node works on the other: they share JWT_SECRET and the database.
    assert_eq!(
        second.get_auth("/api/v1/auth/me", &token).await.status(),
        StatusCode::OK
    );
    let before = second.get_article(SAMPLE_SLUG).await;
    let (_, etag) = first.get_item("/api/v1/admin/articles/1", &token).await;
    let res = first
        .patch(
            "/api/v1/admin/articles/1",
            &token,
            &etag,
            &json!({"title": "Written on Node One"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The other node's response cache notices within its poll interval (1 s).
    let started = std::time::Instant::now();
    let after = loop {
        let article = second.get_article(SAMPLE_SLUG).await;
        if article["title"] == "Written on Node One" {
            break article;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_millis(1500),
            "node two still serves the old title"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_ne!(before["updated_at"], after["updated_at"]);
    // The stale ETag is refused by the other node too.
    let res = second
        .patch(
            "/api/v1/admin/articles/1",
            &token,
            &etag,
            &json!({"title": "Lost"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn seed_adds_complete_synthetic_articles_that_list_tag_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let place = Place::empty(&dir, "seeded.db");
    let out = cli(&place, &["seed", "--synthetic", "30"], None);
    assert!(
        out.status.success(),
        "seed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sample_total = spawn_app()
        .await
        .get_ok("/api/v1/articles?per_page=1")
        .await["meta"]["total"]
        .as_u64()
        .unwrap();
    let app = spawn_app_with(&place.vars()).await;
    let list = app.get_ok("/api/v1/articles?per_page=50").await;
    assert_eq!(list["meta"]["total"].as_u64(), Some(sample_total + 30));
    let sample = app.get_ok(&format!("/api/v1/articles/{SAMPLE_SLUG}")).await;
    let synthetic: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .filter(|slug| *slug != SAMPLE_SLUG)
        .collect();
    // Every synthetic article is whole: a body of the sample's size, tags,
    // both tables and FAQs, served like any other.
    let article = app
        .get_ok(&format!("/api/v1/articles/{}", synthetic[0]))
        .await;
    let size = |a: &serde_json::Value| a["data"]["body"].to_string().len();
    assert!(
        size(&article) * 2 > size(&sample),
        "synthetic body {} bytes, sample {}",
        size(&article),
        size(&sample)
    );
    for field in ["tags", "massage_types", "treatments", "faqs"] {
        assert!(
            !article["data"][field].as_array().unwrap().is_empty(),
            "{field} is empty"
        );
    }
    let tag = article["data"]["tags"][0]["slug"].as_str().unwrap();
    let tagged = app.get_ok(&format!("/api/v1/articles?tag={tag}")).await;
    assert!(tagged["meta"]["total"].as_u64().unwrap() >= 1);
    // Every synthetic body mentions posture.
    let found = app.get_ok("/api/v1/articles?q=posture&per_page=1").await;
    assert!(found["meta"]["total"].as_u64().unwrap() >= 30);
}

/// A backup carries bodies as another build rendered them (a build before a
/// fix to what blocks may hold, say): the import renders them with this one.
#[tokio::test]
async fn an_import_renders_bodies_with_this_renderer() {
    let source = spawn_app().await;
    let token = source.admin_token().await;
    source
        .create_article(
            &token,
            &json!({"title": "Code", "body": {"markdown": "```rust\nfn main() {}\n```\n"}, "status": "published"}),
        )
        .await;
    source.stop().await;
    let mut backup: serde_json::Value =
        serde_json::from_slice(&export(&Place::of(&source))).unwrap();
    let stale =
        r#"[{"type":"code","language":"\"><script>alert(1)</script>","code":"fn main() {}\n"}]"#;
    for article in backup["articles"].as_array_mut().unwrap() {
        if article["slug"] == "code" {
            article["body_blocks"] = json!(stale);
        }
    }
    // A target that has served already: its bodies are this renderer's.
    let dir = tempfile::tempdir().unwrap();
    let target = Place::empty(&dir, "target.db");
    spawn_app_with(&target.vars()).await.stop().await;
    let out = import(&target, &serde_json::to_vec(&backup).unwrap(), true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = spawn_app_with(&target.vars()).await;
    let blocks = app.get_article("code").await["body"]["blocks"].clone();
    assert_eq!(blocks[0]["language"], "rust", "{blocks}");
}

/// A backup made before the media library (version 1: no media tables, no
/// cover or image columns; nor, as in version 2, profiles, references or
/// reviews; nor, as in version 3, front-end paths or announced flags) still loads.
#[tokio::test]
async fn a_version_1_backup_still_loads() {
    let source = spawn_app().await;
    source.stop().await;
    let mut backup: serde_json::Value =
        serde_json::from_slice(&export(&Place::of(&source))).unwrap();
    assert_eq!(backup["version"], 4);
    let map = backup.as_object_mut().unwrap();
    map.insert("version".into(), json!(1));
    for table in [
        "media",
        "article_media",
        "media_files",
        "people",
        "article_people",
        "article_references",
        "review_steps",
    ] {
        map.remove(table);
    }
    for (table, column) in [
        ("users", "avatar_id"),
        ("articles", "cover_id"),
        ("massage_types", "image_id"),
        ("treatments", "image_id"),
        ("articles", "review_state"),
        ("articles", "approved_version"),
        ("articles", "review_note"),
        ("articles", "reviewed_by"),
        ("articles", "last_reviewed"),
        ("articles", "next_review_due"),
        ("site", "disclaimer_markdown"),
        ("site", "disclaimer_html"),
        ("site", "review_interval_months"),
        ("site", "require_review"),
        ("site", "preview_url"),
        ("site", "article_path"),
        ("site", "tag_path"),
        ("articles", "announced"),
    ] {
        for row in map[table].as_array_mut().unwrap() {
            row.as_object_mut().unwrap().remove(column);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let target = Place::empty(&dir, "v1.db");
    let out = import(&target, &serde_json::to_vec(&backup).unwrap(), false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = spawn_app_with(&target.vars()).await;
    let article = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(article["slug"], SAMPLE_SLUG);
    assert_eq!(article["authors"], json!([]));
    assert!(article["review"]["last_reviewed"].is_null());
}
