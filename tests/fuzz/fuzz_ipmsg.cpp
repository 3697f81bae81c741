// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: one IP Messenger datagram (issue 17), and the same bytes as a file list, a
// GETFILEDATA request and a text. Properties: nothing crashes, every refusal says why, whatever
// decodes re-encodes to the same value, and decoded text stays within its limit.
#include "ipmsg/ipmsgpacket.h"

#include <cstdint>
#include <cstdlib>

namespace {

void check(bool ok)
{
    if (!ok)
        std::abort();
}

bool sameFiles(const QList<Ipmsg::FileEntry> &a, const QList<Ipmsg::FileEntry> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const Ipmsg::FileEntry &x = a.at(i);
        const Ipmsg::FileEntry &y = b.at(i);
        if (x.fileId != y.fileId || x.name != y.name || x.size != y.size || x.mtime != y.mtime
            || x.attributes != y.attributes)
            return false;
    }
    return true;
}

void fileList(const QByteArray &field)
{
    QString error;
    const auto files = Ipmsg::decodeFileList(field, &error);
    if (!files) {
        check(!error.isEmpty());
        return;
    }
    check(!files->isEmpty() && files->size() <= Ipmsg::MaxFilesPerOffer);
    for (const Ipmsg::FileEntry &f : *files)
        check(!f.name.isEmpty() && f.mtime >= 0);
    const auto again = Ipmsg::decodeFileList(Ipmsg::encodeFileList(*files), &error);
    check(again && sameFiles(*again, *files));
}

void fileRequest(const QByteArray &field)
{
    QString error;
    const auto r = Ipmsg::FileRequest::decode(field, &error);
    if (!r) {
        check(!error.isEmpty());
        return;
    }
    const auto again = Ipmsg::FileRequest::decode(r->encode(), &error);
    check(again && again->packetNo == r->packetNo && again->fileId == r->fileId
          && again->offset == r->offset);
}

void text(const QByteArray &bytes)
{
    for (bool utf8Option : {false, true}) {
        const Ipmsg::Decoded d = Ipmsg::decodeText(bytes, utf8Option);
        check(d.text.size() <= Ipmsg::MaxTextLength);
        check(d.text.isEmpty() || !d.text.back().isHighSurrogate());
        if (utf8Option)
            check(d.encoding == Ipmsg::Encoding::Utf8);
        // Valid UTF-8 read as UTF-8 comes back from its own encoding (unless it was cut).
        if (!utf8Option && d.encoding == Ipmsg::Encoding::Utf8
            && d.text.size() < Ipmsg::MaxTextLength && !d.text.startsWith(QChar(0xFEFF))) {
            const QByteArray out = Ipmsg::encodeText(d.text, Ipmsg::Encoding::Utf8);
            check(Ipmsg::decodeText(out, false).text == d.text);
        }
        (void) Ipmsg::encodeText(d.text, Ipmsg::Encoding::Gb18030);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char *>(data),
                                                     qsizetype(size));
    QString error;
    const auto p = Ipmsg::Packet::decode(input, &error);
    if (!p) {
        check(!error.isEmpty());
    } else {
        check(p->version.size() <= 255 && p->user.size() <= 255 && p->host.size() <= 255);
        check(p->extra.size() >= 1 && p->extra.size() <= 16);
        const QByteArray wire = p->encode();
        if (wire.size() <= Ipmsg::MaxDatagramSize) { // the added NUL may take it over
            const auto again = Ipmsg::Packet::decode(wire, &error);
            check(again && again->version == p->version && again->packetNo == p->packetNo
                  && again->user == p->user && again->host == p->host
                  && again->command == p->command && again->extra == p->extra);
        }
        for (const QByteArray &field : p->extra) {
            fileList(field);
            fileRequest(field);
        }
        (void) Ipmsg::isShoalVersion(p->version);
        (void) Ipmsg::replyEncoding(p->version, Ipmsg::Encoding::Utf8);
        text(p->field(0));
        text(p->user);
    }
    // The same bytes as a bare field (what a TCP request or a packet's extra holds).
    fileList(input);
    fileRequest(input);
    text(input);
    return 0;
}
