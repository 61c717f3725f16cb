# mk/install.mk — make install / make uninstall (included by the Makefile).
#
#   make install   [PREFIX=/usr/local] [DESTDIR=]
#   make uninstall [PREFIX=/usr/local] [DESTDIR=]
#   make installcheck                   tests/install.sh: install into a
#                                       temporary DESTDIR, check, uninstall
#
# What goes where (every directory below can be overridden on the command
# line, e.g. make install VIMDIR=$HOME/.vim):
#   $(BINDIR)/pathgrad                         the binary ($(BIN))
#   $(MANDIR)/man1/pathgrad.1                  the command line
#   $(MANDIR)/man5/pathgrad-net.5              the .net language
#   $(COMPDIR)/pathgrad                        bash completion
#   $(DOCDIR)/README.md LANGUAGE.md EDITORS.md the documentation
#   $(DOCDIR)/samples/*.net *.values           the samples
#   $(VIMDIR)/syntax/net.vim ftdetect/net.vim  Vim syntax and file type
#   $(EDITORDIR)/textmate/...                  TextMate / VS Code grammar
#
# The man pages are installed uncompressed, their /usr/local paths rewritten
# to PREFIX.  uninstall removes exactly those files, then the directories
# install made for pathgrad alone ($(DOCDIR), $(PKGDATADIR)) if they are
# empty; shared directories (bin, man1, vimfiles, ...) stay.

INSTALL      ?= install
BINDIR       ?= $(PREFIX)/bin
DATAROOTDIR  ?= $(PREFIX)/share
MANDIR       ?= $(DATAROOTDIR)/man
DOCDIR       ?= $(DATAROOTDIR)/doc/pathgrad
COMPDIR      ?= $(DATAROOTDIR)/bash-completion/completions
VIMDIR       ?= $(DATAROOTDIR)/vim/vimfiles
PKGDATADIR   ?= $(DATAROOTDIR)/pathgrad
EDITORDIR    ?= $(PKGDATADIR)/editors

INST_MAN1    := docs/man/pathgrad.1
INST_MAN5    := docs/man/pathgrad-net.5
INST_DOCS    := README.md docs/LANGUAGE.md docs/EDITORS.md
INST_SAMPLES := $(sort $(wildcard samples/*.net samples/*.values))
INST_TM      := editors/textmate/net.tmLanguage.json editors/textmate/package.json \
                editors/textmate/language-configuration.json

install: $(BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(COMPDIR) $(DESTDIR)$(DOCDIR)/samples \
	    $(DESTDIR)$(VIMDIR)/syntax $(DESTDIR)$(VIMDIR)/ftdetect $(DESTDIR)$(EDITORDIR)/textmate
	$(INSTALL) -m 755 $(BIN) $(DESTDIR)$(BINDIR)/pathgrad
	sed 's|/usr/local|$(PREFIX)|g' $(INST_MAN1) >$(DESTDIR)$(MANDIR)/man1/pathgrad.1
	sed 's|/usr/local|$(PREFIX)|g' $(INST_MAN5) >$(DESTDIR)$(MANDIR)/man5/pathgrad-net.5
	chmod 644 $(DESTDIR)$(MANDIR)/man1/pathgrad.1 $(DESTDIR)$(MANDIR)/man5/pathgrad-net.5
	$(INSTALL) -m 644 completion/pathgrad.bash $(DESTDIR)$(COMPDIR)/pathgrad
	$(INSTALL) -m 644 $(INST_DOCS) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 644 $(INST_SAMPLES) $(DESTDIR)$(DOCDIR)/samples
	$(INSTALL) -m 644 editors/vim/syntax/net.vim $(DESTDIR)$(VIMDIR)/syntax/net.vim
	$(INSTALL) -m 644 editors/vim/ftdetect/net.vim $(DESTDIR)$(VIMDIR)/ftdetect/net.vim
	$(INSTALL) -m 644 $(INST_TM) $(DESTDIR)$(EDITORDIR)/textmate

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pathgrad \
	    $(DESTDIR)$(MANDIR)/man1/pathgrad.1 $(DESTDIR)$(MANDIR)/man5/pathgrad-net.5 \
	    $(DESTDIR)$(COMPDIR)/pathgrad \
	    $(DESTDIR)$(VIMDIR)/syntax/net.vim $(DESTDIR)$(VIMDIR)/ftdetect/net.vim \
	    $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(INST_DOCS))) \
	    $(addprefix $(DESTDIR)$(DOCDIR)/samples/,$(notdir $(INST_SAMPLES))) \
	    $(addprefix $(DESTDIR)$(EDITORDIR)/textmate/,$(notdir $(INST_TM)))
	@for d in $(DESTDIR)$(DOCDIR)/samples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(EDITORDIR)/textmate \
	        $(DESTDIR)$(EDITORDIR) $(DESTDIR)$(PKGDATADIR); do \
	    if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || echo "uninstall: $$d is not empty, left in place"; fi; \
	done

installcheck:
	bash tests/install.sh

.PHONY: installcheck
