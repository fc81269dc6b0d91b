package server_test

import "github.com/truce-mechanism/truce/access"

// The notification routes' rows of the access matrix.
func init() {
	routeRules["GET /api/v1/stream"] = func(r access.Reader, m, id string, sees bool) matrixCase {
		// Replay only: the setup's case of each marking streams to whoever sees it.
		c := matrixCase{method: "GET", path: "/api/v1/stream?after=0&follow=false", want: 200}
		if sees {
			c.contains = caseOf[id]
		} else {
			c.lacks = caseOf[id]
		}
		return c
	}
	admin := func(r access.Reader, ok int) int { return ifElse(r.May(access.Audit), ok, 404) }
	routeRules["POST /api/v1/webhooks"] = func(r access.Reader, _, _ string, _ bool) matrixCase {
		// Only admins manage webhooks; to anyone else they do not exist.
		return matrixCase{method: "POST", path: "/api/v1/webhooks", body: `{"url":"https://receiver.example/truce","org":"USA"}`,
			want: admin(r, 201), lacks: ifElse(r.May(access.Audit), "", "whsec_")}
	}
	routeRules["GET /api/v1/webhooks"] = func(r access.Reader, _, _ string, _ bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/webhooks", want: admin(r, 200), lacks: "whsec_"}
	}
	routeRules["DELETE /api/v1/webhooks/{id}"] = func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "DELETE", path: "/api/v1/webhooks/wh-none", want: 404}
	}
	routeRules["GET /api/v1/webhooks/{id}/deliveries"] = func(access.Reader, string, string, bool) matrixCase {
		return matrixCase{method: "GET", path: "/api/v1/webhooks/wh-none/deliveries", want: 404}
	}
}
