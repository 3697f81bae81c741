// SPDX-License-Identifier: GPL-3.0-or-later
#include "storage/searchtokenizer.h"

#include <QChar>
#include <QLoggingCategory>

#include <sqlite3.h>

#include <cstring>
#include <mutex>

Q_DECLARE_LOGGING_CATEGORY(lcStorage)

namespace {

enum class Kind { Space, Word, Single };

bool isUnspacedScript(QChar::Script s)
{
    switch (s) {
    case QChar::Script_Han:
    case QChar::Script_Hiragana:
    case QChar::Script_Katakana:
    case QChar::Script_Hangul:
    case QChar::Script_Bopomofo:
    case QChar::Script_Yi:
    case QChar::Script_Thai:
    case QChar::Script_Lao:
    case QChar::Script_Khmer:
    case QChar::Script_Myanmar:
    case QChar::Script_Tibetan:
        return true;
    default:
        return false;
    }
}

Kind kindOf(char32_t c)
{
    if (c < 0x80) {
        if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || c == u'_')
            return Kind::Word;
        return c <= 0x20 || c == 0x7f ? Kind::Space : Kind::Single;
    }
    switch (QChar::category(c)) {
    case QChar::Separator_Space:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
    case QChar::Other_Control:
    case QChar::Other_Format: // zero-width joiners, BOM: invisible, never searched for
    case QChar::Other_Surrogate:
    case QChar::Other_NotAssigned:
    case QChar::Other_PrivateUse:
        return Kind::Space;
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
    case QChar::Number_DecimalDigit:
    case QChar::Number_Letter:
    case QChar::Number_Other:
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
        return isUnspacedScript(QChar::script(c)) ? Kind::Single : Kind::Word;
    default: // punctuation and symbols (emoji)
        return Kind::Single;
    }
}

// One code point from UTF-8 at `p` (before `end`); `*len` its bytes. Invalid bytes are one
// U+FFFD each (SQLite stores what it is given; never read past the end).
char32_t decode(const unsigned char *p, const unsigned char *end, int *len)
{
    const unsigned char b = p[0];
    int n = 0;
    char32_t c = 0;
    if (b < 0x80) {
        *len = 1;
        return b;
    } else if ((b & 0xe0) == 0xc0) {
        n = 1;
        c = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
        n = 2;
        c = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
        n = 3;
        c = b & 0x07;
    } else {
        *len = 1;
        return 0xfffd;
    }
    if (end - p <= n) {
        *len = 1;
        return 0xfffd;
    }
    for (int i = 1; i <= n; ++i) {
        if ((p[i] & 0xc0) != 0x80) {
            *len = 1;
            return 0xfffd;
        }
        c = (c << 6) | (p[i] & 0x3f);
    }
    *len = n + 1;
    return c > 0x10ffff ? 0xfffd : c;
}

int encode(char32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = char(c);
        return 1;
    }
    if (c < 0x800) {
        out[0] = char(0xc0 | (c >> 6));
        out[1] = char(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = char(0xe0 | (c >> 12));
        out[1] = char(0x80 | ((c >> 6) & 0x3f));
        out[2] = char(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = char(0xf0 | (c >> 18));
    out[1] = char(0x80 | ((c >> 12) & 0x3f));
    out[2] = char(0x80 | ((c >> 6) & 0x3f));
    out[3] = char(0x80 | (c & 0x3f));
    return 4;
}

char32_t fold(char32_t c)
{
    if (c < 0x80)
        return c >= u'A' && c <= u'Z' ? c + 32 : c;
    return QChar::toCaseFolded(c);
}

// A word longer than this is cut (its first MaxWordBytes are its token): no one types it
// into a search box, and a token is held in memory whole.
constexpr int MaxWordBytes = 128;

int createTokenizer(void *, const char **, int, Fts5Tokenizer **out)
{
    static char instance; // stateless: any non-null pointer
    *out = reinterpret_cast<Fts5Tokenizer *>(&instance);
    return SQLITE_OK;
}

void deleteTokenizer(Fts5Tokenizer *) {}

int tokenize(Fts5Tokenizer *,
             void *ctx,
             int,
             const char *text,
             int size,
             int (*token)(void *, int, const char *, int, int, int))
{
    const auto *begin = reinterpret_cast<const unsigned char *>(text);
    const auto *end = begin + (size > 0 ? size : 0);
    char word[MaxWordBytes + 4];
    int wordBytes = 0;
    int wordStart = 0;
    int wordEnd = 0;
    const auto flushWord = [&]() -> int {
        if (wordBytes == 0)
            return SQLITE_OK;
        const int rc = token(ctx, 0, word, wordBytes, wordStart, wordEnd);
        wordBytes = 0;
        return rc;
    };
    for (const unsigned char *p = begin; p < end;) {
        int len = 1;
        const char32_t c = decode(p, end, &len);
        const int at = int(p - begin);
        p += len;
        const Kind kind = kindOf(c);
        if (kind == Kind::Word) {
            if (wordBytes == 0)
                wordStart = at;
            if (wordBytes <= MaxWordBytes - 4)
                wordBytes += encode(fold(c), word + wordBytes);
            wordEnd = at + len;
            continue;
        }
        if (const int rc = flushWord(); rc != SQLITE_OK)
            return rc;
        if (kind == Kind::Single) {
            char one[4];
            const int n = encode(fold(c), one);
            if (const int rc = token(ctx, 0, one, n, at, at + len); rc != SQLITE_OK)
                return rc;
        }
    }
    return flushWord();
}

fts5_tokenizer tokenizer{createTokenizer, deleteTokenizer, tokenize};

fts5_api *fts5(sqlite3 *db)
{
    fts5_api *api = nullptr;
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK)
        return nullptr;
    sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return api && api->iVersion >= 2 ? api : nullptr;
}

bool registerOn(sqlite3 *db)
{
    fts5_api *api = fts5(db);
    return api && api->xCreateTokenizer(api, "shoal", nullptr, &tokenizer, nullptr) == SQLITE_OK;
}

int onOpen(sqlite3 *db, const char **, const void *)
{
    registerOn(db); // a connection without it fails its first write to the index, loudly
    return SQLITE_OK;
}

} // namespace

namespace SearchTokenizer {

bool registerTokenizer(sqlite3 *db)
{
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_auto_extension(reinterpret_cast<void (*)()>(&onOpen)); });
    if (db && !registerOn(db)) {
        qCWarning(lcStorage) << "SQLite has no FTS5: history search is not available";
        return false;
    }
    return true;
}

bool isSkipped(char32_t c)
{
    return kindOf(c) == Kind::Space;
}

} // namespace SearchTokenizer
