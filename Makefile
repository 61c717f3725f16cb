# pathgrad — a strict hand-written Makefile.
#   make            build ./pathgrad
#   make check      build and run the whole test suite
#   make asan       the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo       the main job on samples/fc.net
#   make deps       install the Debian packages the build and tests need
#   make install    PREFIX=/usr/local DESTDIR=
CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
WERROR  ?= -Werror
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes $(WERROR)
GVDIR   := $(shell pkg-config --variable=libdir libgvc)/graphviz
CPPFLAGS += -Isrc -I$(BUILD) $(shell pkg-config --cflags libgvc plplot)
# the Graphviz plugins are linked in (no config file, built-in font metrics)
LDLIBS  += -L$(GVDIR) -Wl,-rpath,$(GVDIR) -lgvplugin_dot_layout -lgvplugin_neato_layout \
           -lgvplugin_core $(shell pkg-config --libs libgvc plplot) -lgmp -lm
SAN     :=

SRC  := src/util.c src/diag.c src/ops.c src/expr.c src/parse.c src/build.c src/names.c \
        src/paths.c src/stage.c src/emit.c src/emit_latex.c src/emit_text.c src/emit_json.c \
        src/sum.c src/factored.c src/collapse.c src/collapse_graph.c src/slides.c src/jobs.c src/render.c src/svgtext.c \
        src/svgmetrics.c src/eval.c src/vanish.c src/output.c src/latexdoc.c src/texwidth.c src/fmt.c src/report.c src/main.c
OBJ  := $(BUILD)/parser.o $(BUILD)/lexer.o $(patsubst src/%.c,$(BUILD)/%.o,$(SRC))
BIN  := pathgrad

all: $(BIN)

$(BIN): $(OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $(OBJ) $(LDFLAGS) $(LDLIBS)

$(BUILD)/parser.c $(BUILD)/parser.h &: grammar/parser.y | $(BUILD)
	bison -Wall -Werror -o $(BUILD)/parser.c --header=$(BUILD)/parser.h $<

$(BUILD)/lexer.c $(BUILD)/lexer.h &: grammar/lexer.l | $(BUILD)
	flex -o $(BUILD)/lexer.c --header-file=$(BUILD)/lexer.h $<

# generated code: the project's warnings, less the ones Flex/Bison trip
$(BUILD)/parser.o: $(BUILD)/parser.c $(BUILD)/lexer.h $(wildcard src/*.h)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<
$(BUILD)/lexer.o: $(BUILD)/lexer.c $(BUILD)/parser.h $(wildcard src/*.h)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) $(BUILD)/parser.h $(BUILD)/lexer.h | $(BUILD)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD):
	mkdir -p $(BUILD)

deps:
	sh tools/deps.sh

demo: deps $(BIN)
	./$(BIN) derive samples/fc.net --format text

# the whole suite, a minute of fuzzing, then the suite again under the
# sanitizers: the last line is the sanitized run's "N passed, N failed"
check: deps $(BIN)
	PATHGRAD=./$(BIN) bash tests/run.sh
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory asan

# the suite under AddressSanitizer + UndefinedBehaviorSanitizer (leaks
# included); each process being slower, the property tests run on fewer
# networks and fmt on fewer scramblings, and what only other programs do
# again (pdflatex, Chromium, make install) is left to the plain run
asan: deps
	$(MAKE) --no-print-directory BUILD=build-asan BIN=pathgrad-asan CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" pathgrad-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:fast_unwind_on_malloc=0 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    UBSAN_OPTIONS=print_stacktrace=1 \
	    PROPS_ARGS="--count 10" DIFFFUZZ_SECONDS=6 CLASSICS_SECONDS=5 LATEX_COMPILE=0 FMT_QUICK=1 \
	    PATHGRAD=./pathgrad-asan bash tests/run.sh

# the suite with every pathgrad run under valgrind (Graphviz's own leaks
# suppressed by tests/gvc.supp); slow: the property tests run on 4 networks,
# the generative fuzzer not at all (its 10,000-layer programs time out)
valgrind: deps $(BIN)
	PG_REAL=$(CURDIR)/$(BIN) PROPS_ARGS="--count 4" DIFFFUZZ_SECONDS=0 PATHGRAD=tests/valgrind-pathgrad.sh bash tests/run.sh

# speed and memory, each against a baseline measured in the same run
bench: $(BIN)
	bash bench/derive.sh
	bash bench/render.sh

# the article's five figures, drawn from the samples
FIGS := docs/figures/chain.svg docs/figures/fc_network.svg docs/figures/fc_graph.svg \
        docs/figures/fc_paths.svg docs/figures/forward.svg docs/figures/resblock.svg
figures: $(BIN)
	mkdir -p docs/figures
	./$(BIN) render samples/chain.net --stage chain -o docs/figures/chain.svg
	./$(BIN) render samples/fc.net --view network --no-paths -o docs/figures/fc_network.svg
	./$(BIN) render samples/fc.net --no-paths --no-labels -o docs/figures/fc_graph.svg
	./$(BIN) render samples/fc.net --wrt 'w[n-2][1][1]' --stage chain --no-labels -o docs/figures/fc_paths.svg
	./$(BIN) render samples/fc.net --node 'y[n-1][1]' --no-labels -o docs/figures/forward.svg
	./$(BIN) render samples/resblock.net --of 'y[out][1]' --wrt 'y[in][1]' --term 5 -o docs/figures/resblock.svg
	./$(BIN) vanish samples/deep_sigmoid.net --format svg -o docs/figures/vanish_sigmoid.svg
	./$(BIN) vanish samples/deep_relu.net --format svg -o docs/figures/vanish_relu.svg
	./$(BIN) vanish samples/deep_resnet.net --format svg -o docs/figures/vanish_resnet.svg
	./$(BIN) render samples/circuit.net --values samples/circuit.values -o docs/figures/circuit_values.svg
	./$(BIN) vanish samples/deep_sigmoid.net samples/deep_relu.net samples/deep_resnet.net --format svg \
	    -o docs/figures/vanish_overlay.svg

# make install / uninstall (PREFIX, DESTDIR), and make fuzz
-include mk/install.mk
-include mk/fuzz.mk

clean:
	rm -rf build build-asan pathgrad pathgrad-asan

.PHONY: all deps demo check asan valgrind bench figures install uninstall clean
