//! Settings → Skills: admins add their own skills (or change a shipped one by slug); every
//! name is checked against the others; sourcing uses them from the next answer.
use hirecast::domain::user::Role;

use crate::helpers::*;

async fn admins_add_check_and_remove_their_own_skills(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_user("admin@acme.fr", Role::Admin);
    app.add_user("rita@acme.fr", Role::Recruiter);
    let admin = app.signed_in("admin@acme.fr").await;
    let rita = app.signed_in("rita@acme.fr").await;
    assert_eq!(rita.get(app.url("/app/settings/skills")).send().await.unwrap().status().as_u16(), 403);
    assert_eq!(rita.post(app.url("/app/settings/skills")).form(&[("slug", "x")]).send().await.unwrap().status().as_u16(), 403);
    let page = admin.get(app.url("/app/settings/skills")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("699"), "the shipped count is shown");
    let tsv = admin.get(app.url("/app/settings/skills.tsv")).send().await.unwrap();
    assert!(tsv.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    assert!(tsv.text().await.unwrap().contains("kubernetes"));

    let post = |form: Vec<(&'static str, &'static str)>| {
        let (admin, url) = (admin.clone(), app.url("/app/settings/skills"));
        async move { admin.post(url).form(&form).send().await.unwrap() }
    };
    let bad = post(vec![("slug", "Bad Slug"), ("label_en", "X"), ("label_fr", "X")]).await;
    assert_eq!(bad.status().as_u16(), 422);
    assert!(bad.text().await.unwrap().contains("lowercase letters"));
    // A name another skill already has is refused, naming the clash; the form keeps its values.
    let clash = post(vec![("slug", "rusty"), ("label_en", "Rust"), ("label_fr", "Rouille <b>"), ("aliases", "")]).await;
    assert_eq!(clash.status().as_u16(), 422);
    let html = clash.text().await.unwrap();
    assert!(html.contains("rust"), "{html}");
    assert!(html.contains("Rouille &lt;b&gt;") || html.contains("Rouille &#60;b&#62;"), "kept, escaped");
    assert!(app.db(|c| hirecast::store::skills::list(c).unwrap()).is_empty(), "nothing saved");

    let ok = post(vec![("slug", "hirecastologie"), ("label_en", "Hirecastology"), ("label_fr", "Hirecastologie"), ("category", "hr"), ("aliases", "hcl, hirecasting")]).await;
    assert_eq!(ok.status().as_u16(), 303);
    let tax = app.db(|c| hirecast::store::skills::taxonomy(c).unwrap());
    let id = tax.lookup("HCL").expect("an alias resolves");
    assert_eq!(tax.get(id).slug, "hirecastologie");
    assert_eq!(tax.find("Trois ans de hirecasting à Lyon").first().map(|h| h.skill), Some(id), "found in answers");
    let page = admin.get(app.url("/app/settings/skills")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-slug=\"hirecastologie\""));
    // The matcher is built once and kept while the skills do not change; a change builds it again.
    let again = app.db(|c| hirecast::store::skills::taxonomy(c).unwrap());
    assert!(std::sync::Arc::ptr_eq(&tax, &again), "the same matcher, not rebuilt per answer");
    let changed = post(vec![("slug", "hirecastologie"), ("label_en", "Hirecastology"), ("label_fr", "Hirecastologie"), ("category", "hr"), ("aliases", "hcl")]).await;
    assert_eq!(changed.status().as_u16(), 303);
    let rebuilt = app.db(|c| hirecast::store::skills::taxonomy(c).unwrap());
    assert!(!std::sync::Arc::ptr_eq(&tax, &rebuilt));
    assert!(rebuilt.lookup("hirecasting").is_none(), "the removed alias is gone");

    let gone = post(vec![("slug", "hirecastologie"), ("action", "remove")]).await;
    assert_eq!(gone.status().as_u16(), 303);
    assert!(app.db(|c| hirecast::store::skills::taxonomy(c).unwrap()).lookup("hcl").is_none());
}

crate::on_both_backends!(admins_add_check_and_remove_their_own_skills);
