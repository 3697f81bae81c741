// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The history's full-text tokenizer ("shoal", an SQLite FTS5 tokenizer). Internal to storage/.
//
// Words of scripts written with spaces (Latin, Cyrillic, Greek, Arabic, ...; letters, digits
// and marks) are one token each, case-folded. Characters of scripts written without spaces
// (Han, Hiragana, Katakana, Hangul, Thai, ...) and each punctuation mark or symbol (emoji
// too) are a token each. A query is one phrase of the same tokens, so "午饭" is the tokens 午
// and 饭 next to each other and finds "午饭一起吃吗？" whatever the length of the query (the
// trigram tokenizer cannot match fewer than 3 characters), and "C++" finds "c++".
//
// Every connection that writes to `messages` needs it (the triggers index what is written):
// registerSearchTokenizer() makes SQLite register it on every connection opened in this
// process from then on, and registers it on `db` if given (one opened before).

struct sqlite3;

namespace SearchTokenizer {

// Registers the tokenizer on every connection opened from now on (once per process), and on
// `db` now if it is not null. False if FTS5 is missing.
bool registerTokenizer(sqlite3 *db = nullptr);

// Whether `c` is no token and no part of one (spaces, control and invisible characters).
bool isSkipped(char32_t c);

} // namespace SearchTokenizer
