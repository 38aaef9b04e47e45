//! The route table: [`SecureRouter`], which registers every route with its policy and
//! puts the guard in front of it, and [`RoutePolicy`], one registered route.

use super::*;

/// One registered route and its policy.
#[derive(Debug, Clone)]
pub struct RoutePolicy {
    /// Lower-case HTTP method.
    pub method: String,
    /// Path pattern, e.g. `/api/referrals/{id}`.
    pub path: String,
    /// The policy.
    pub policy: Policy,
    /// What kind of record the route reads or changes (for the audit trail).
    pub record_type: &'static str,
}

/// A router that only accepts routes with a policy.
pub struct SecureRouter {
    inner: OpenApiRouter<AppState>,
    policies: Vec<RoutePolicy>,
}

impl Default for SecureRouter {
    fn default() -> Self {
        SecureRouter::new()
    }
}

impl SecureRouter {
    /// An empty router.
    pub fn new() -> SecureRouter {
        SecureRouter {
            inner: OpenApiRouter::new(),
            policies: Vec::new(),
        }
    }

    /// Registers the operations of `routes` (from `utoipa_axum::routes!`) under `policy`.
    pub fn route(
        mut self,
        policy: Policy,
        record_type: &'static str,
        routes: UtoipaMethodRouter<AppState>,
    ) -> SecureRouter {
        let (schemas, paths, method_router) = routes;
        let mut labels = Vec::new();
        for (path, item) in &paths.paths {
            let methods = [
                ("get", item.get.is_some()),
                ("post", item.post.is_some()),
                ("put", item.put.is_some()),
                ("delete", item.delete.is_some()),
                ("patch", item.patch.is_some()),
            ];
            for (method, present) in methods {
                if present {
                    labels.push(format!("{} {path}", method.to_uppercase()));
                    self.policies.push(RoutePolicy {
                        method: method.to_owned(),
                        path: path.clone(),
                        policy,
                        record_type,
                    });
                }
            }
        }
        let label = labels.join(", ");
        // A page route refuses with an HTML page, an API route with problem+json.
        let page = paths
            .paths
            .keys()
            .all(|path| !crate::openapi_responses::is_api(path));
        let guarded = method_router.route_layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let label = label.clone();
                async move { guard(policy, record_type, page, label, request, next).await }
            },
        ));
        self.inner = self.inner.routes((schemas, paths, guarded));
        self
    }

    /// Adds another secure router's routes.
    pub fn merge(mut self, other: SecureRouter) -> SecureRouter {
        self.inner = self.inner.merge(other.inner);
        self.policies.extend(other.policies);
        self
    }

    /// Every route and its policy.
    pub fn policies(&self) -> &[RoutePolicy] {
        &self.policies
    }

    /// The router, for serving.
    pub fn into_parts(self) -> (OpenApiRouter<AppState>, Vec<RoutePolicy>) {
        (self.inner, self.policies)
    }
}
