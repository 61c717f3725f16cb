# mk/fuzz.mk — fuzzing (included by the Makefile).
#
#   make fuzz [FUZZ_SECONDS=60]   build the libFuzzer harnesses (clang,
#                                 ASan + UBSan), run each for FUZZ_SECONDS on
#                                 the seed corpus; print executions, findings
#   make fuzz-smoke               15 s a harness, about a minute in all (CI)
#   make fuzz-afl [FUZZ_SECONDS=60]  AFL++ on the command line (fuzz/afl.sh)
#   make fuzz-build               only build fuzz/out/fuzz_pipeline, fuzz_values
#   make fuzz-corpus              only (re)build the seed corpus fuzz/corpus/
#   make fuzz-clean               remove the fuzzing build, corpora and findings
#
# The harnesses link every object but main.o, compiled by clang into
# $(FUZZ_BUILD) with -fsanitize=fuzzer-no-link,address,undefined.  Findings
# land in fuzz/artifacts/; a real one becomes a file in tests/fuzz-regress/.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= fuzz/build
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -gline-tables-only
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ     := $(patsubst $(BUILD)/%,$(FUZZ_BUILD)/%,$(filter-out $(BUILD)/main.o,$(OBJ)))
FUZZ_TARGETS := pipeline values fmt

fuzz-build:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) WERROR= \
	    CFLAGS="$(FUZZ_CFLAGS)" SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_OBJ)
	mkdir -p fuzz/out
	set -e; for t in $(FUZZ_TARGETS); do \
	    $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -std=c11 -Wall -Wextra \
	        -Isrc -Ifuzz -I$(FUZZ_BUILD) $(shell pkg-config --cflags libgvc plplot) \
	        -o fuzz/out/fuzz_$$t fuzz/fuzz_$$t.c $(FUZZ_OBJ) $(LDLIBS); \
	done

fuzz-corpus:
	rm -rf fuzz/corpus
	python3 fuzz/make_corpus.py fuzz/corpus

# each harness in turn (one fuzzing process at a time); the last lines
# are one "fuzz NAME: ..." summary a harness
FUZZ_RUN = st=0; rm -f fuzz/logs/summary; mkdir -p fuzz/logs; \
	for t in $(FUZZ_TARGETS); do \
	    bash fuzz/run_libfuzzer.sh $$t $(1) >fuzz/logs/last || st=1; \
	    cat fuzz/logs/last; tail -1 fuzz/logs/last >>fuzz/logs/summary; \
	done; rm -f fuzz/logs/last; \
	echo "== fuzz results =="; cat fuzz/logs/summary; \
	awk '{n += $$3; s += $$6} END {printf "fuzz total: %d execs in %d s\n", n, s}' fuzz/logs/summary; \
	echo "findings (fuzz/artifacts/):"; ls fuzz/artifacts 2>/dev/null; exit $$st

fuzz: fuzz-build fuzz-corpus
	@$(call FUZZ_RUN,$(FUZZ_SECONDS))

fuzz-smoke: fuzz-build fuzz-corpus
	@$(call FUZZ_RUN,$(FUZZ_SMOKE_SECONDS))

fuzz-afl:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/afl.sh

fuzz-clean:
	rm -rf $(FUZZ_BUILD) fuzz/out fuzz/corpus fuzz/work fuzz/artifacts fuzz/logs fuzz/afl

.PHONY: fuzz fuzz-build fuzz-corpus fuzz-smoke fuzz-afl fuzz-clean
