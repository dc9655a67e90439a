//! Planner over HTTP: a new plan's `container` and `owner` as Graph completes them
//! (planner-post-plans), the collections Graph derives from the flat `/planner` ones (a plan's
//! tasks and buckets, a bucket's tasks, a group's plans, a user's tasks and plans, and single
//! items through them), that Graph creates only in the flat collections, and that deleting a
//! plan deletes its buckets and tasks, with ETags on every listed object.

mod common;

use common::*;
use serde_json::{json, Value};

/// Graph's absolute URL of group `id`, as `container.url` names it.
fn group_url(id: &str) -> String {
    format!("https://graph.microsoft.com/v1.0/groups/{id}")
}

/// A plan titled `title` in group `group` (`POST /planner/plans`); its id.
async fn new_plan(g: &Graph, group: &str, title: &str) -> String {
    let plan = g
        .created(
            "/v1.0/planner/plans",
            json!({"container": {"url": group_url(group)}, "title": title}),
        )
        .await;
    id(&plan)
}

/// A bucket named `name` in plan `plan` (`POST /planner/buckets`); its id.
async fn new_bucket(g: &Graph, plan: &str, name: &str) -> String {
    let bucket = g
        .created(
            "/v1.0/planner/buckets",
            json!({"name": name, "planId": plan, "orderHint": " !"}),
        )
        .await;
    id(&bucket)
}

/// A task titled `title` in plan `plan` and bucket `bucket`, assigned to `assignees`
/// (`POST /planner/tasks`); its id.
async fn new_task(g: &Graph, plan: &str, bucket: &str, title: &str, assignees: &[&str]) -> String {
    let assignments: serde_json::Map<String, Value> = assignees
        .iter()
        .map(|u| {
            let a = json!({"@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": " !"});
            (u.to_string(), a)
        })
        .collect();
    let task = g
        .created(
            "/v1.0/planner/tasks",
            json!({"planId": plan, "bucketId": bucket, "title": title, "assignments": assignments}),
        )
        .await;
    id(&task)
}

/// The `id` of a created object.
fn id(object: &Value) -> String {
    object["id"].as_str().unwrap().to_string()
}

/// The ids a list at `path` answers (it must answer 200).
async fn listed(g: &Graph, path: &str) -> Vec<String> {
    listed_by(g, path, "id").await
}

/// Adds user `user` to group `group` (`POST /groups/{id}/members/$ref`).
async fn add_member(g: &Graph, group: &str, user: &str) {
    let (status, body) = g
        .post(
            &format!("/v1.0/groups/{group}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

/// planner-post-plans: `container.url` names the group; Graph answers the container with its
/// id and type, and the legacy `owner` with the group's id. The legacy form (`owner` alone)
/// gets the container filled the same way.
#[tokio::test]
async fn a_new_plan_has_its_container_and_owner_filled() {
    let (_s, g) = blank().await;
    let group = new_group(&g, "plans", true).await;
    let plan = g
        .created(
            "/v1.0/planner/plans",
            json!({"container": {"url": group_url(&group)}, "title": "Plan A"}),
        )
        .await;
    assert_eq!(plan["owner"], group, "{plan}");
    assert_eq!(plan["container"]["containerId"], group, "{plan}");
    assert_eq!(plan["container"]["type"], "group", "{plan}");
    assert_eq!(plan["container"]["url"], group_url(&group), "{plan}");
    assert!(plan["@odata.etag"].is_string(), "{plan}");
    let legacy = g
        .created(
            "/v1.0/planner/plans",
            json!({"owner": group, "title": "Plan B"}),
        )
        .await;
    assert_eq!(legacy["container"]["containerId"], group, "{legacy}");
    assert_eq!(legacy["container"]["url"], group_url(&group), "{legacy}");
}

/// A plan needs a container, and the container must be an existing group.
#[tokio::test]
async fn a_plan_without_an_existing_group_is_refused() {
    let (_s, g) = blank().await;
    let user = make_user(&g, "notagroup").await;
    let missing = "00000000-0000-0000-0000-0000000000aa";
    let (status, err) = g
        .post("/v1.0/planner/plans", json!({"title": "Orphan"}))
        .await;
    assert_eq!(status, 400, "{err}");
    let (status, err) = g
        .post(
            "/v1.0/planner/plans",
            json!({"container": {"url": group_url(missing)}, "title": "Lost"}),
        )
        .await;
    assert_eq!(status, 404, "{err}");
    let (status, err) = g
        .post(
            "/v1.0/planner/plans",
            json!({"container": {"url": format!("https://graph.microsoft.com/v1.0/users/{user}")}, "title": "User"}),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(
        listed(&g, "/v1.0/planner/plans").await,
        Vec::<String>::new()
    );
}

/// plannerplan-list-tasks, plannerplan-list-buckets, plannerbucket-list-tasks: a plan lists
/// its own buckets and tasks and a bucket its own tasks, never another plan's or bucket's;
/// single items resolve (and update) through those paths only when they belong there.
#[tokio::test]
async fn a_plan_and_a_bucket_list_their_own_tasks() {
    let (_s, g) = blank().await;
    let group = new_group(&g, "work", true).await;
    let plan = new_plan(&g, &group, "Plan A").await;
    let other_plan = new_plan(&g, &group, "Plan B").await;
    let bucket = new_bucket(&g, &plan, "Bucket 1").await;
    let second = new_bucket(&g, &plan, "Bucket 2").await;
    let elsewhere = new_bucket(&g, &other_plan, "Other").await;
    let task = new_task(&g, &plan, &bucket, "Task 1", &[]).await;
    let later = new_task(&g, &plan, &second, "Task 2", &[]).await;
    new_task(&g, &other_plan, &elsewhere, "Not mine", &[]).await;

    let tasks = format!("/v1.0/planner/plans/{plan}/tasks");
    assert_eq!(listed(&g, &tasks).await, [task.as_str(), later.as_str()]);
    assert_eq!(
        listed(&g, &format!("/v1.0/planner/plans/{plan}/buckets")).await,
        [bucket.as_str(), second.as_str()]
    );
    let in_bucket = format!("/v1.0/planner/buckets/{bucket}/tasks");
    assert_eq!(listed(&g, &in_bucket).await, [task.as_str()]);
    assert_eq!(
        listed(
            &g,
            &format!("/v1.0/planner/plans/{plan}/buckets/{bucket}/tasks")
        )
        .await,
        [task.as_str()]
    );
    // The query options work as on any collection, and each item has its ETag.
    let (status, page) = g
        .get(&format!(
            "{tasks}?$filter=title eq 'Task 2'&$select=id,title"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(strings(&page, "id"), [later.as_str()]);
    assert!(page["value"][0]["@odata.etag"].is_string(), "{page}");
    let (_, page) = g.get(&format!("{tasks}?$top=1")).await;
    assert_eq!(strings(&page, "id"), [task.as_str()]);
    assert!(page["@odata.nextLink"].is_string(), "{page}");

    let (status, one) = g.get(&format!("{tasks}/{task}")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["title"], "Task 1");
    let (status, _) = g.get(&format!("{in_bucket}/{later}")).await;
    assert_eq!(status, 404, "a task of another bucket is not found there");
    // `$count`, and an update through the derived path, which changes the one task.
    let (status, count) = g.get(&format!("{tasks}/$count")).await;
    assert_eq!((status, count), (200, json!(2)));
    let (status, body) = g
        .patch(&format!("{tasks}/{task}"), json!({"percentComplete": 50}))
        .await;
    assert!(status == 200 || status == 204, "{status} {body}");
    let (_, one) = g.get(&format!("/v1.0/planner/tasks/{task}")).await;
    assert_eq!(one["percentComplete"], 50, "{one}");
}

/// Graph creates plans, buckets and tasks only in `/planner/{plans,buckets,tasks}`: a POST to
/// a derived collection is refused, and creates nothing.
#[tokio::test]
async fn derived_collections_are_not_created_in() {
    let (_s, g) = blank().await;
    let group = new_group(&g, "readonly", true).await;
    let plan = new_plan(&g, &group, "Plan").await;
    let (status, err) = g
        .post(
            &format!("/v1.0/planner/plans/{plan}/tasks"),
            json!({"title": "Nope"}),
        )
        .await;
    assert_eq!(status, 405, "{err}");
    let (status, err) = g
        .post(
            &format!("/v1.0/groups/{group}/planner/plans"),
            json!({"title": "Nope"}),
        )
        .await;
    assert_eq!(status, 405, "{err}");
    assert_eq!(
        listed(&g, "/v1.0/planner/tasks").await,
        Vec::<String>::new()
    );
    assert_eq!(listed(&g, "/v1.0/planner/plans").await, [plan]);
}

/// plannergroup-list-plans: a group lists the plans it contains, not another group's.
#[tokio::test]
async fn a_group_lists_its_plans() {
    let (_s, g) = blank().await;
    let group = new_group(&g, "mine", true).await;
    let other = new_group(&g, "theirs", true).await;
    let plan = new_plan(&g, &group, "Mine").await;
    let theirs = new_plan(&g, &other, "Theirs").await;
    let plans = format!("/v1.0/groups/{group}/planner/plans");
    assert_eq!(listed(&g, &plans).await, [plan.as_str()]);
    assert_eq!(
        listed(&g, &format!("/v1.0/groups/{other}/planner/plans")).await,
        [theirs.as_str()]
    );
    let (status, one) = g.get(&format!("{plans}/{plan}")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["title"], "Mine");
    let (status, _) = g.get(&format!("{plans}/{theirs}")).await;
    assert_eq!(status, 404);
}

/// planneruser-list-tasks and planneruser-list-plans: a user lists the tasks assigned to it
/// (also as `/me`), and the plans of the groups it is a member of; a user with neither lists
/// none.
#[tokio::test]
async fn a_user_lists_its_assigned_tasks_and_its_groups_plans() {
    let (s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let alex = make_user(&g, "alex").await;
    let group = new_group(&g, "team", true).await;
    let other = new_group(&g, "outside", true).await;
    add_member(&g, &group, &adele).await;
    let plan = new_plan(&g, &group, "Team plan").await;
    new_plan(&g, &other, "Outside plan").await;
    let bucket = new_bucket(&g, &plan, "To do").await;
    let task = new_task(&g, &plan, &bucket, "Hers", &[&adele]).await;
    new_task(&g, &plan, &bucket, "Nobody's", &[]).await;

    assert_eq!(
        listed(&g, &format!("/v1.0/users/{adele}/planner/tasks")).await,
        [task.as_str()]
    );
    assert!(listed(&g, &format!("/v1.0/users/{alex}/planner/tasks"))
        .await
        .is_empty());
    // A user's plans are delegated-only (planneruser-list-plans: "Application: Not
    // supported").
    let her = user_graph(&s, "adele@contoso.onmicrosoft.com", "Tasks.Read").await;
    assert_eq!(listed(&her, "/v1.0/me/planner/tasks").await, [task]);
    assert_eq!(
        listed(&her, "/v1.0/me/planner/plans").await,
        [plan.as_str()]
    );
    assert_eq!(
        listed(&her, &format!("/v1.0/users/{adele}/planner/plans")).await,
        [plan]
    );
    let him = user_graph(&s, "alex@contoso.onmicrosoft.com", "Tasks.Read").await;
    assert!(listed(&him, "/v1.0/me/planner/plans").await.is_empty());
    assert!(listed(&him, "/v1.0/me/planner/tasks").await.is_empty());
}

/// plannerplan-delete: a deleted plan's buckets and tasks go with it, through every path;
/// another plan's stay. A stale `If-Match` is still refused (412) before anything goes.
#[tokio::test]
async fn deleting_a_plan_deletes_its_buckets_and_tasks() {
    let (_s, g) = blank().await;
    let group = new_group(&g, "short", true).await;
    let plan = new_plan(&g, &group, "Doomed").await;
    let kept_plan = new_plan(&g, &group, "Kept").await;
    let bucket = new_bucket(&g, &plan, "Doomed bucket").await;
    let task = new_task(&g, &plan, &bucket, "Doomed task", &[]).await;
    let kept_bucket = new_bucket(&g, &kept_plan, "Kept bucket").await;
    let kept = new_task(&g, &kept_plan, &kept_bucket, "Kept task", &[]).await;

    let stale = client()
        .delete(format!("{}/v1.0/planner/plans/{plan}", g.base))
        .bearer_auth(&g.token)
        .header("If-Match", "W/\"JzEtstale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);
    assert_eq!(listed(&g, "/v1.0/planner/tasks").await.len(), 2);

    let (status, body) = g.delete(&format!("/v1.0/planner/plans/{plan}")).await;
    assert_eq!(status, 204, "{body}");
    for gone in [
        format!("/v1.0/planner/plans/{plan}"),
        format!("/v1.0/planner/buckets/{bucket}"),
        format!("/v1.0/planner/tasks/{task}"),
    ] {
        let (status, body) = g.get(&gone).await;
        assert_eq!(status, 404, "GET {gone}: {body}");
    }
    assert_eq!(listed(&g, "/v1.0/planner/tasks").await, [kept.as_str()]);
    assert_eq!(listed(&g, "/v1.0/planner/buckets").await, [kept_bucket]);
    assert_eq!(
        listed(&g, &format!("/v1.0/groups/{group}/planner/plans")).await,
        [kept_plan]
    );
}
