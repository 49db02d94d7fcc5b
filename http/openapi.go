package http

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPI is the OpenAPI 3.0 document describing every route, written by
// hand; tests check it against the routes and real responses.
//
//go:embed openapi.json
var openAPI []byte

// openAPIRoutes registers the route that serves the OpenAPI document.
func (s *Server) openAPIRoutes() []route {
	return []route{
		{"GET /v1/openapi.json", http.HandlerFunc(serveOpenAPI), readOnly},
	}
}

// serveOpenAPI serves the OpenAPI document: GET /v1/openapi.json.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(openAPI)))
	w.Write(openAPI)
}
