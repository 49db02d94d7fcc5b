# Aisle: two commands do everything on a fresh machine.
#   make demo  — build, import the sample data, build models, serve
#   make test  — install what the tests need, vet, run every test
GO       ?= go
BIN      := bin/aisle
DATA     ?= ../shared/data
ADDR     ?= 127.0.0.1:8080

.PHONY: all build demo test deps vet bench clean

all: build

build: deps
	$(GO) build -o $(BIN) ./cmd/aisle

demo: build
	./$(BIN) demo -data $(DATA) -addr $(ADDR)

# Debian packages the build needs (OpenBLAS and LAPACKE for package openblas).
DEBS     := libopenblas-dev liblapacke-dev

# deps installs what the build and tests need and the machine lacks.
# Idempotent: it installs nothing when everything is there.
deps:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi
	$(GO) mod download

vet:
	$(GO) vet ./...

# Every test runs twice: under the race detector with -short (tests that
# import whole real datasets skip there: -race makes them ~20x slower), then
# without it, real data included.
test: deps vet
	$(GO) test -race -short -timeout 20m ./...
	$(GO) test -timeout 30m ./...

bench: build
	./$(BIN) bench -data $(DATA)

clean:
	rm -rf bin aisle-data aisle-demo
