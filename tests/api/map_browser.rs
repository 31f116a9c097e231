//! A real browser opens the demo brand's map page (its signed `.html` link) and renders it:
//! headless Chromium dumps the DOM it built and takes a screenshot. CI installs Debian's
//! `chromium`; without it the test says so and stops.
use std::process::Command;

use serde_json::json;
use touchpoint_registry::demo;

use crate::helpers::spawn_app;

fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

#[actix_web::test]
async fn headless_chromium_renders_the_demo_map_page() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium (CI installs Debian's chromium package)");
        return;
    };
    let app = spawn_app().await;
    demo::seed(&app.db).await.unwrap();
    let tokens = demo::tokens(&app.db, &app.tokens).await.unwrap();
    let brand_admin = &tokens[0].2;
    let data = app
        .data(
            brand_admin,
            "{ brand(slug: \"northwind\") { journeys { id } } }",
            json!({}),
        )
        .await;
    let journey = data["brand"]["journeys"][0]["id"].clone();
    let link = app
        .data(brand_admin, "query($j: ID!) { brand(slug: \"northwind\") { mapLink(journeyId: $j) { htmlUrl } experienceMap { svg } } }", json!({ "j": journey }))
        .await;
    // The link names the address the server was configured with; the test server listens on
    // its own port.
    let url = link["brand"]["mapLink"]["htmlUrl"].as_str().unwrap();
    let path = url
        .split_once("/brands")
        .map(|(_, p)| format!("{}/brands{p}", app.address))
        .unwrap();
    let profile = std::env::temp_dir().join(format!("chromium-{}", uuid::Uuid::new_v4().simple()));
    let screenshot = profile.with_extension("png");
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1600,1000",
    ];
    let run = |extra: Vec<String>| {
        let mut command = Command::new(browser);
        command
            .args(flags)
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&path);
        actix_web::rt::task::spawn_blocking(move || command.output())
    };
    let dom = run(vec!["--dump-dom".into()])
        .await
        .unwrap()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    let shot = run(vec![format!("--screenshot={}", screenshot.display())])
        .await
        .unwrap()
        .expect("chromium runs");
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );

    // The page the browser built is the map, not an error page.
    assert!(dom.contains("Northwind Cycles"), "the brand's name");
    assert!(
        dom.contains("id=\"insights\"") && dom.contains("TOO_MANY_TOUCHPOINTS"),
        "the insights beside the map"
    );
    let expected_cards = link["brand"]["experienceMap"]["svg"]
        .as_str()
        .unwrap()
        .matches("class=\"card\"")
        .count();
    assert!(expected_cards >= 60);
    assert_eq!(
        dom.matches("class=\"card\"").count(),
        expected_cards,
        "every card rendered"
    );
    assert!(dom.contains("class=\"step\""), "the journey's steps");
    let size = std::fs::metadata(&screenshot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 50_000,
        "a screenshot with a map in it ({size} bytes)"
    );
    let _ = std::fs::remove_file(&screenshot);
    let _ = std::fs::remove_dir_all(&profile);
}
