" Vim syntax file
" Language:     pathgrad .net (networks and scalar computational graphs)
" Filenames:    *.net
" Reference:    pathgrad-net(5), docs/LANGUAGE.md
"
" The keywords are those of grammar/lexer.l, the activations and functions
" those of src/ops.c (as `pathgrad --help` lists them); tests/install.sh
" checks that every one is highlighted here.
"
" Every other word of the language is a word only where its form uses it,
" and is highlighted only there: a graph may have variables called sum, in,
" for or notation, a layer may be named as.  So sum/mse/xent after
" `loss NAME =`; as/shared after `dense(L)`; `notation` and xy/za/out/into
" in a statement `notation WORD... ;`; for/in in `for NAME in`; sum/prod
" and in before a binder, `sum(j in A..B, E)`.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" keywords (not valid as names)
syn keyword netBlock        network graph nextgroup=netBlockName skipwhite
syn match   netBlockName    "\h\w*" contained
syn keyword netStatement    layer nextgroup=netLayerLabel skipwhite
syn keyword netStatement    loss dead input
syn match   netLayerLabel   "\<\%(\h\w*\%(\s*[-+]\s*\d\+\)\=\|\d\+\)\>" contained
syn keyword netDerive       derive wrt expand
syn keyword netInput        dense skip bias
syn keyword netActivation   identity relu sigmoid tanh leaky_relu softplus elu gelu swish softmax

" the loss kinds: loss NAME = sum | mse | xent ;
syn match   netLossKind     "\%(\<loss\s\+\h\w*\s*=\s*\)\@<=\<\%(sum\|mse\|xent\)\>"

" a connection's own or tied weights: dense(L) as NAME, dense(L) shared NAME
syn match   netConnWord     "\%(\<dense\s*(\s*\%(\h\w*\%(\s*[-+]\s*\d\+\)\=\|\d\+\)\s*)\s*\)\@<=\<\%(as\|shared\)\>" nextgroup=netFamily skipwhite
syn match   netFamily       "\h\w*" contained

" a network's notation: notation xy|za out|into ;
syn match   netNotation     "\<notation\%(\s\+\%(xy\|za\|out\|into\)\>\)\+\ze\s*;" contains=netNotationWord,netNote
syn match   netNotationWord "\<notation\>" contained
syn keyword netNote         xy za out into contained

" a graph's loops: for NAME in A..B { ... }
syn match   netFor          "\<for\ze\s\+\h\w*\s\+in\>" nextgroup=netLoopVar skipwhite
syn match   netLoopVar      "\h\w*" contained nextgroup=netIn skipwhite
syn match   netIn           "\<in\>" contained

" a call of a function that pathgrad does not know is opaque; the known
" ones of a scalar graph (and the activations, matched above)
syn match   netOpaque       "\<\h\w*\ze\s*("
syn keyword netFunction     exp log sin cos sqrt abs max min

" sums and products with a binder: sum(j in A..B, E), prod(j in A..B, E)
" (after netOpaque: at the same place the later match wins)
syn match   netBinder       "\<\%(sum\|prod\)\ze\s*(\s*\h\w*\s\+in\>"
syn match   netIn           "\%(\<\%(sum\|prod\)\s*(\s*\h\w*\s\+\)\@<=in\>"
syn match   netBinderVar    "\%(\<\%(sum\|prod\)\s*(\s*\)\@<=\h\w*\ze\s\+in\>"

" references: x[L][j], y[L][j], w[L][i][j], b[L][j], t[k], a graph's names
syn match   netRef          "\<\h\w*\ze\s*\["
syn region  netIndex        matchgroup=netBracket start="\[" end="\]" contains=netNumber,netLabel,netOperator,netRange oneline
syn match   netLabel        "\<\h\w*\>" contained

" numbers never carry a sign: the sign is the parser's unary minus; in a
" range 1..5 the dots are neither "1." nor ".5"
syn match   netNumber       "\<\d\+\>"
syn match   netFloat        "\<\d\+\.\.\@!\d*\%([eE][+-]\=\d\+\)\="
syn match   netFloat        "\.\@<!\.\d\+\%([eE][+-]\=\d\+\)\=\>"
syn match   netFloat        "\<\d\+[eE][+-]\=\d\+\>"
syn match   netRange        "\.\."

syn match   netOperator     "[-+*/^=]"
syn match   netDelimiter    "[;:,]"
syn match   netBrace        "[{}()]"

" comments: # or // to the end of the line (after the operators: they win)
syn keyword netTodo         contained TODO FIXME XXX NOTE
syn match   netComment      "#.*$"  contains=netTodo,@Spell
syn match   netComment      "//.*$" contains=netTodo,@Spell

" the only bytes allowed outside comments are ASCII
syn match   netError        "[^\x00-\x7f]"

hi def link netTodo         Todo
hi def link netComment      Comment
hi def link netBlock        Structure
hi def link netBlockName    Identifier
hi def link netStatement    Statement
hi def link netDerive       Keyword
hi def link netInput        Keyword
hi def link netActivation   Type
hi def link netLossKind     Constant
hi def link netConnWord     Keyword
hi def link netFamily       Identifier
hi def link netNotationWord Statement
hi def link netNote         Constant
hi def link netFor          Repeat
hi def link netLoopVar      Identifier
hi def link netIn           Repeat
hi def link netBinder       Repeat
hi def link netBinderVar    Identifier
hi def link netRange        Operator
hi def link netFunction     Function
hi def link netOpaque       Function
hi def link netRef          Identifier
hi def link netLabel        Special
hi def link netLayerLabel   Special
hi def link netBracket      Delimiter
hi def link netNumber       Number
hi def link netFloat        Float
hi def link netOperator     Operator
hi def link netDelimiter    Delimiter
hi def link netBrace        Delimiter
hi def link netError        Error

let b:current_syntax = "net"

let &cpo = s:cpo_save
unlet s:cpo_save
