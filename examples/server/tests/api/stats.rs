//! `GET /stats`: staff get the full tables of the cases they see; partners are refused (they
//! read the published releases: `releases`).

use serde_json::Value;

use crate::helpers::spawn_app;

/// The grand total of the table `name` (the margin that names no dimension).
fn grand_total<'a>(stats: &'a Value, name: &str) -> &'a Value {
    let table = stats["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("table {name} in {stats}"));
    table["totals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c.as_object()
                .unwrap()
                .keys()
                .all(|k| k == "count" || k == "suppressed")
        })
        .expect("a grand total")
}

#[tokio::test]
async fn staff_get_what_they_see_and_partners_are_refused() {
    let app = spawn_app().await;
    for _ in 0..2 {
        app.register("officer", "TAP").await;
    }
    app.register("directorate", "MEX").await;
    let stats = |who: &'static str| {
        let req = app.stats(who, "");
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 200, "{who}");
            res.json::<Value>().await.unwrap()
        }
    };
    let table = "cases_by_office_status";
    for (who, cases) in [("officer", 2), ("supervisor", 2), ("officer_hou", 0)] {
        let s = stats(who).await;
        assert!(s.get("k").is_none(), "staff get full tables: {s}");
        assert_eq!(grand_total(&s, table)["count"], cases, "{who}");
    }
    for who in ["directorate", "auditor"] {
        assert_eq!(grand_total(&stats(who).await, table)["count"], 3, "{who}");
    }
    // Partners read published releases only (`releases`): no window of their own.
    let res = app.stats("partner", "").send().await.unwrap();
    assert_eq!(res.status(), 403);
    let csv = app.stats("auditor", "format=csv").send().await.unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    for bad in [
        "/stats?from=yesterday",
        "/stats?format=xml",
        "/stats?from=2026-12-01&to=2026-01-01",
    ] {
        let res = app.get("directorate", bad).send().await.unwrap();
        assert_eq!(res.status(), 400, "{bad}");
    }
}
