// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: a peer's whole offer. Properties: nothing crashes; a refusal says why,
// with no control or direction character in its message; an accepted offer is within its
// limits, every path passes SafeName, and among its paths (entries and the folders they
// imply) no two are equal after case folding or after NFC, none is listed twice, no file is
// a folder of another path, and a folder offer has one folder at its top. Checked here the
// slow, obvious way, apart from OfferCheck's own walk.
//
// Input: byte 0: bit 0 a folder offer, bits 1-3 the most entries (4 to 32), bits 4-7 the
// most bytes. Then records separated by NUL, each: one byte (bit 0 a folder; bit 1 derive
// the path from the previous record's, bits 2-3 how: upper case, NFD, NFC, or a child named
// by the rest; bits 4-7 the size), then the path in UTF-8. Deriving makes the collisions
// OfferCheck hunts for likely instead of rare.
#include "files/offercheck.h"

#include <QHash>
#include <QSet>

#include <cstdint>
#include <cstdlib>
#include <limits>

using namespace Qt::StringLiterals;

namespace {

constexpr qint64 Max = std::numeric_limits<qint64>::max();

qint64 sizeFor(int code, qint64 limit)
{
    switch (code) {
    case 0:
        return 0;
    case 1:
        return -1;
    case 2:
        return Max;
    case 3:
        return Max / 2 + 1;
    case 4:
        return limit;
    case 5:
        return limit + 1;
    case 6:
        return std::numeric_limits<qint64>::min();
    default:
        return qint64(code) * 1000;
    }
}

QString derived(const QString &previous, int how, const QString &rest)
{
    switch (how) {
    case 0:
        return previous.toUpper();
    case 1:
        return previous.normalized(QString::NormalizationForm_D);
    case 2:
        return previous.normalized(QString::NormalizationForm_C);
    default:
        return previous + u'/' + rest;
    }
}

// Every strict ancestor of a valid path: "a/b/c" gives "a" and "a/b".
QStringList ancestors(const QString &path)
{
    QStringList out;
    for (qsizetype slash = path.indexOf(u'/'); slash >= 0; slash = path.indexOf(u'/', slash + 1))
        out << path.left(slash);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t flags = data[0];
    const auto shape = (flags & 1) ? OfferShape::Folder : OfferShape::Files;
    const OfferLimits limits{4 * (((flags >> 1) & 7) + 1), qint64(1) << (4 * (flags >> 4) + 2)};

    QList<OfferEntry> entries;
    const QByteArray rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    for (const QByteArray &record : rest.split('\0')) {
        if (record.isEmpty())
            continue;
        const uint8_t code = uint8_t(record[0]);
        const QString text = QString::fromUtf8(record.mid(1));
        OfferEntry entry;
        entry.kind = (code & 1) ? SafeName::Kind::Folder : SafeName::Kind::File;
        entry.path = (code & 2) && !entries.isEmpty()
                         ? derived(entries.last().path, (code >> 2) & 3, text)
                         : text;
        entry.size = sizeFor(code >> 4, limits.maxTotalBytes);
        entries << entry;
    }

    const auto problem = OfferCheck::problem(entries, shape, limits);
    if (problem) {
        if (problem->isEmpty())
            std::abort();
        // Quoted paths have passed SafeName: nothing raw reaches a window or a log.
        for (const QChar c : std::as_const(*problem)) {
            const ushort u = c.unicode();
            if (c.category() == QChar::Other_Control || (u >= 0x202A && u <= 0x202E)
                || (u >= 0x2066 && u <= 0x2069))
                std::abort();
        }
        return 0;
    }

    if (entries.isEmpty() || entries.size() > limits.maxEntries)
        std::abort();
    qint64 total = 0;
    QSet<QString> listed;
    QSet<QString> files;
    QSet<QString> paths;
    QSet<QString> parents;
    for (const OfferEntry &entry : std::as_const(entries)) {
        QString error;
        if (!SafeName::components(entry.path, &error))
            std::abort();
        if (entry.size < 0 || (entry.kind == SafeName::Kind::Folder && entry.size != 0)
            || __builtin_add_overflow(total, entry.size, &total) || total > limits.maxTotalBytes)
            std::abort();
        if (listed.contains(entry.path))
            std::abort();
        listed.insert(entry.path);
        if (entry.kind == SafeName::Kind::File)
            files.insert(entry.path);
        paths.insert(entry.path);
        for (const QString &parent : ancestors(entry.path)) {
            paths.insert(parent);
            parents.insert(parent);
        }
    }
    if (paths.size() > limits.maxEntries)
        std::abort();
    for (const QString &file : std::as_const(files)) {
        if (parents.contains(file))
            std::abort();
    }
    QSet<QString> folded;
    QSet<QString> composed;
    QSet<QString> tops;
    for (const QString &path : std::as_const(paths)) {
        folded.insert(path.toCaseFolded());
        composed.insert(path.normalized(QString::NormalizationForm_C));
        tops.insert(path.section(u'/', 0, 0));
    }
    if (folded.size() != paths.size() || composed.size() != paths.size())
        std::abort();
    if (shape == OfferShape::Folder && (tops.size() != 1 || files.contains(*tops.cbegin())))
        std::abort();
    return 0;
}
