# texsynth: neural texture synthesis in Go (GoMLX/simplego), natively and in WebAssembly.

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
WASMEXEC := $(GOROOT)/lib/wasm
SHARED   ?= ../shared
PORT     ?= 8080
# Packages whose code also runs in the browser: tested under js/wasm as well.
WASM_PKGS := ./weights/ ./core/...

.PHONY: all test test-native test-wasm vet bench demo weights clean

all: weights

## test: everything CI runs: vet, native tests, the core's tests under js/wasm in Node.
test: vet test-native test-wasm

vet:
	$(GO) vet ./...

test-native:
	$(GO) test -count=1 ./...

# The core under GOOS=js GOARCH=wasm, run by Node through Go's wasm_exec wrapper.
test-wasm:
	PATH="$(WASMEXEC):$$PATH" GOOS=js GOARCH=wasm $(GO) test -count=1 $(WASM_PKGS)

## weights: the built-in default written as a file (never committed).
weights: weights/vgg16-random.q8

weights/vgg16-random.q8:
	$(GO) run ./tools/weights -random -seed 0 -out $@

## demo: a texture from one of the shared samples with the default settings.
demo:
	mkdir -p build
	$(GO) run ./tools/texsynth -in $(SHARED)/textures/ulyanov_red-peppers256.jpg -out build/demo.png -frames build/demo-frames -every 10
	@echo "wrote build/demo.png (frames in build/demo-frames)"

clean:
	rm -rf build weights/*.q8
