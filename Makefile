# relayctl - see README.md.  Plain GNU make; libraries through pkg-config.
#
#   make              build ./relayctl
#   make check        install what is missing (as root), build, run every test
#   make demo         a throwaway local Postfix, configured and audited
#   make asan         the whole suite under AddressSanitizer + UBSan
#   make valgrind     the whole suite under valgrind
#   make fuzz         every libFuzzer target, FUZZ_TIME seconds each
#   make bench        relayctl against nmap, swaks and postconf -e (bench/)
#   make install      PREFIX=/usr/local DESTDIR= (binary, man page, completions)
#   make WERROR=      build without -Werror (for packagers)

VERSION	= 0.1.0

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d

CC	?= cc
CFLAGS	?= -O2 -g
WARN	= -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -Wwrite-strings -Wvla -Wformat=2
WERROR	?= -Werror
PKGS	= libcurl jansson readline openssl
TESTPKGS = cmocka

# B is the object directory, BIN the program; make asan builds elsewhere
# so that it never mixes instrumented and plain objects.
B	?= build
BIN	?= relayctl

# V=1 shows the full compiler command lines.
ifeq ($(V),1)
Q =
say = @true
else
Q = @
say = @printf '  %-6s %s\n'
endif

# Evaluated when used, so that a `make check` that has just installed the
# libraries sees them.
# libcurl and OpenSSL are not linked: core/transport_curl.c and
# core/tlslib.c load them when an audit starts (dlopen), so that the
# configuration commands start in a third of the time.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS)) -pthread
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libcurl openssl,$(PKGS))) -pthread -lresolv -ldl
TEST_CFLAGS = $(shell pkg-config --cflags $(TESTPKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TESTPKGS))

ALL_CFLAGS = $(WARN) $(WERROR) $(CPPFLAGS) $(CFLAGS) -D_POSIX_C_SOURCE=200809L \
	     -DRELAYCTL_VERSION='"$(VERSION)"' -Icore -Icli -MMD -MP

CORE_SRC = $(sort $(wildcard core/*.c))
CLI_SRC  = $(sort $(wildcard cli/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
CORE_OBJ = $(CORE_SRC:%.c=$(B)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(B)/%.o)
CLI_LIB_OBJ = $(filter-out $(B)/cli/main.o,$(CLI_OBJ))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all check check-run tests demo asan valgrind install uninstall completions fuzz bench \
	clean deps pkgcheck testpkgcheck FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BIN)

pkgcheck:
	@pkg-config --exists $(PKGS) || { \
	  echo "relayctl: missing libraries: $$(for p in $(PKGS); do \
	    pkg-config --exists $$p || printf '%s ' $$p; done)"; \
	  echo "relayctl: run 'make deps' (installs them as root on Debian," \
	    "prints the apt-get command otherwise)"; \
	  exit 1; } >&2

testpkgcheck:
	@pkg-config --exists $(TESTPKGS) || { \
	  echo "relayctl: missing library for the unit tests: cmocka"; \
	  echo "relayctl: run 'make deps' (installs it as root on Debian)"; \
	  exit 1; } >&2

# The version reaches the code through -D: rebuild when it changes.
$(B)/version.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@
FORCE:

$(B)/core/%.o: core/%.c $(B)/version.stamp | pkgcheck
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/cli/%.o: cli/%.c $(B)/version.stamp | pkgcheck
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/libcore.a: $(CORE_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(B)/libcore.a
	$(say) LINK $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libcore.a $(PKG_LIBS) $(LDLIBS)

$(B)/tests/%.o: tests/unit/%.c | pkgcheck testpkgcheck
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(CLI_LIB_OBJ) $(B)/libcore.a
	$(say) LINK $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_LIB_OBJ) $(B)/libcore.a \
	    $(PKG_LIBS) $(TEST_LIBS) $(LDLIBS)

tests: $(BIN) $(UNIT_BIN)

deps:
	@sh mk/deps.sh check

# check installs first, then builds in a second make, which sees the
# libraries that deps may just have installed.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run: tests
	@RELAYCTL=$(CURDIR)/$(BIN) RELAYCTL_B=$(B) sh tests/run.sh $(UNIT_BIN)

demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@RELAYCTL=$(CURDIR)/$(BIN) bash mk/demo.sh

# Benchmarks (never part of check): one host against nmap and swaks, a
# 1,000-target fleet, enable-phase against postconf -e; bench/results/.
bench:
	@sh mk/deps.sh bench
	@$(MAKE) --no-print-directory $(BIN)
	@RELAYCTL=$(CURDIR)/$(BIN) sh bench/run.sh

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all
asan: deps
	@$(MAKE) --no-print-directory B=build/asan BIN=build/asan/relayctl \
	    CFLAGS='$(ASAN_FLAGS)' LDFLAGS='-fsanitize=address,undefined' \
	    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 check-run

valgrind: deps
	@$(MAKE) --no-print-directory tests
	@RELAYCTL=$(CURDIR)/$(BIN) RELAYCTL_VALGRIND=1 sh tests/run.sh $(UNIT_BIN)

# Fuzzing with clang's libFuzzer (+ ASan, UBSan): each fuzz/fuzz_NAME.c
# is built with the whole core and run FUZZ_TIME seconds on its seeds
# (fuzz/corpus/NAME; what it finds is kept in build/fuzz/corpus-NAME).
# A crash stops `make fuzz` with the input saved as build/fuzz/NAME-crash-*.
FUZZ_TARGETS = smtp cidr maincf mastercf state conffile
FUZZ_TIME ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BIN = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

build/fuzz/fuzz_%: fuzz/fuzz_%.c $(CORE_SRC) $(wildcard core/*.h) | pkgcheck
	@mkdir -p $(@D)
	$(say) FUZZ $@
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L \
	    -DRELAYCTL_VERSION='"$(VERSION)"' -Icore $(PKG_CFLAGS) -o $@ $< \
	    $(CORE_SRC) $(PKG_LIBS)

# The audit's defaults and targets files: its parsers are static in
# cli/cmd_audit.c, which the target includes; the rest of cli/ is linked.
build/fuzz/fuzz_conffile: fuzz/fuzz_conffile.c $(CORE_SRC) $(CLI_SRC) \
    $(wildcard core/*.h cli/*.h) | pkgcheck
	@mkdir -p $(@D)
	$(say) FUZZ $@
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L \
	    -DRELAYCTL_VERSION='"$(VERSION)"' -Icore -Icli $(PKG_CFLAGS) -o $@ $< \
	    $(filter-out cli/main.c cli/cmd_audit.c,$(CLI_SRC)) $(CORE_SRC) \
	    $(PKG_LIBS)

fuzz:
	@sh mk/deps.sh fuzz
	@$(MAKE) --no-print-directory -j2 $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus-$$t; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -close_fd_mask=2 \
	    -artifact_prefix=build/fuzz/$$t- build/fuzz/corpus-$$t \
	    fuzz/corpus/$$t >build/fuzz/$$t.log 2>&1; rc=$$?; \
	  echo "fuzz_$$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    build/fuzz/$$t.log) executions in $(FUZZ_TIME) s, exit $$rc"; \
	  if [ $$rc -ne 0 ]; then tail -40 build/fuzz/$$t.log; exit 1; fi; \
	done

# The completions are written from the command table; commit the result.
completions: $(BIN)
	./$(BIN) help --json | python3 mk/completions.py completions

install: $(BIN)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(SBINDIR)/relayctl
	install -m 644 man/relayctl.8 $(DESTDIR)$(MANDIR)/man8/relayctl.8
	install -m 644 completions/relayctl.bash $(DESTDIR)$(BASHCOMPDIR)/relayctl
	install -m 644 completions/_relayctl $(DESTDIR)$(ZSHCOMPDIR)/_relayctl
	install -m 644 completions/relayctl.fish $(DESTDIR)$(FISHCOMPDIR)/relayctl.fish

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/relayctl $(DESTDIR)$(MANDIR)/man8/relayctl.8 \
	    $(DESTDIR)$(BASHCOMPDIR)/relayctl $(DESTDIR)$(ZSHCOMPDIR)/_relayctl \
	    $(DESTDIR)$(FISHCOMPDIR)/relayctl.fish

clean:
	rm -rf build relayctl

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_BIN:=.d)
