// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: a peer's offered relative path. Properties: nothing crashes; a refusal
// says why, with nothing raw from the input in the message; an accepted path splits into
// valid names that, joined under a base folder, stay under it exactly as offered (cleanPath
// changes nothing); and a numbered collision name of an accepted name is accepted too.
//
// Input: first byte: bit 0 reads the rest as UTF-16 (so lone surrogates occur) instead of
// UTF-8, bit 1 numbers as a folder, the other bits pick the collision number.
#include "files/safename.h"

#include <cstdint>
#include <cstdlib>

using namespace Qt::StringLiterals;

namespace {

bool isRaw(QChar c)
{
    const ushort u = c.unicode();
    return c.category() == QChar::Other_Control || c.isSurrogate() || (u >= 0x202A && u <= 0x202E)
           || (u >= 0x2066 && u <= 0x2069) || u == 0x200E || u == 0x200F || u == 0x061C;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t mode = data[0];
    const char *rest = reinterpret_cast<const char *>(data) + 1;
    const qsizetype restSize = qsizetype(size - 1);
    const QString path = (mode & 1) ? QString(reinterpret_cast<const QChar *>(
                                                  QByteArray(rest, restSize).constData()),
                                              restSize / 2)
                                    : QString::fromUtf8(rest, restSize);

    QString error;
    const auto components = SafeName::components(path, &error);
    if (!components) {
        if (error.isEmpty())
            std::abort();
        for (const QChar c : std::as_const(error)) {
            // Pairs are fine (emoji quoted back); a lone half is caught below.
            if (isRaw(c) && !c.isSurrogate())
                std::abort();
        }
        if (QString::fromUtf8(error.toUtf8()) != error)
            std::abort(); // a lone surrogate quoted back
        return 0;
    }

    if (components->isEmpty() || components->size() > SafeName::MaxDepth
        || components->join(u'/') != path)
        std::abort();
    for (const QString &name : *components) {
        if (name.isEmpty() || name == u"."_s || name == u".."_s
            || name.toUtf8().size() > SafeName::MaxComponentBytes)
            std::abort();
        for (const QChar c : name) {
            if (c == u'/' || c == u'\\' || c == QChar(0) || (isRaw(c) && !c.isSurrogate()))
                std::abort();
        }
        QString nameError;
        if (!SafeName::isValidName(name, &nameError))
            std::abort();
    }
    const QString base = u"/srv/shoal/downloads"_s;
    const QString joined = base + u'/' + path;
    if (QDir::cleanPath(joined) != joined || !joined.startsWith(base + u'/'))
        std::abort();

    const int n = (mode >> 2) == 63 ? SafeName::MaxCollisions : (mode >> 2) + 1;
    const auto kind = (mode & 2) ? SafeName::Kind::Folder : SafeName::Kind::File;
    const QString numbered = SafeName::numbered(components->last(), n, kind);
    QString numberedError;
    if (numbered.isEmpty() || numbered == components->last()
        || !SafeName::isValidName(numbered, &numberedError))
        std::abort();
    return 0;
}
