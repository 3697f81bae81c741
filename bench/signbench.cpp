// SPDX-License-Identifier: GPL-3.0-or-later
#include "signbench.h"

#include "groups/groupbody.h"
#include "groups/grouplimits.h"
#include "identity/identity.h"
#include "identity/signer.h"

#include <QElapsedTimer>

#include <algorithm>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

constexpr int Turns = 3;
constexpr qint64 TurnNs = 1'000'000'000; // each rate measured over about a second
constexpr int PageMessages = int(Groups::MaxPageMessages);

// Calls `once` until a second has gone by; the rate per second.
template<typename Once>
double ratePerSecond(Once once)
{
    QElapsedTimer timer;
    timer.start();
    qint64 n = 0;
    do {
        for (int i = 0; i < 16; ++i)
            once();
        n += 16;
    } while (timer.nsecsElapsed() < TurnNs);
    return double(n) / (double(timer.nsecsElapsed()) / 1e9);
}

struct Page
{
    QList<QPair<QByteArray, QByteArray>> messages; // (body, sig), one author's chain
};

// One author's messages 1..PageMessages, as a catch-up page carries them: short texts.
Page makePage(const Identity &author, const Signer &signer)
{
    Page page;
    Groups::Body b;
    b.group = Groups::groupIdFor(author.id(), QByteArray(Groups::NonceBytes, '\x01'));
    b.author = author.id();
    b.prev = QByteArray(Groups::LinkBytes, '\0');
    b.sentAt = QDateTime::fromMSecsSinceEpoch(1'780'000'000'000, Qt::UTC);
    for (int i = 1; i <= PageMessages; ++i) {
        b.seq = i;
        b.lc = i;
        b.text = u"message %1 of the page, a line as people write them: 你好"_s.arg(i);
        const QByteArray body = Groups::encode(b);
        const QByteArray sig = signer.sign(body);
        page.messages.append({body, sig});
        b.prev = Groups::linkHash(body, sig);
    }
    return page;
}

// As the groups service accepts a run of one author's messages: every body decoded, each `p`
// the link hash of the one before, and the last signature verified. False if anything fails.
bool checkChain(const Page &page, const QByteArray &cert, Verifier &verifier, bool verifyEach)
{
    QByteArray link(Groups::LinkBytes, '\0');
    for (const auto &[body, sig] : page.messages) {
        QString error;
        const auto decoded = Groups::decode(body, &error);
        if (!decoded || decoded->prev != link)
            return false;
        if (verifyEach && !verifier.verify(cert, body, sig))
            return false;
        link = Groups::linkHash(body, sig);
    }
    const auto &[lastBody, lastSig] = page.messages.constLast();
    return verifyEach || verifier.verify(cert, lastBody, lastSig);
}

} // namespace

int runSignBench()
{
    QString error;
    const auto author = Identity::generate(&error);
    if (!author) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(error));
        return 1;
    }
    const Signer signer(author->privateKey());
    const QByteArray cert = author->certificate().toDer();
    Verifier verifier;
    const Page page = makePage(*author, signer);
    const QByteArray body = page.messages.constFirst().first;
    const QByteArray sig = page.messages.constFirst().second;
    if (!checkChain(page, cert, verifier, false) || !checkChain(page, cert, verifier, true)) {
        std::fprintf(stderr, "bench: the page's chain does not check\n");
        return 1;
    }

    // Best of each, in turns: a busy spell of the shared host lands on all.
    double signs = 0, verifies = 0, pages = 0, pagesEach = 0;
    bool ok = true;
    for (int turn = 0; turn < Turns; ++turn) {
        signs = std::max(signs, ratePerSecond([&] { ok &= !signer.sign(body).isEmpty(); }));
        verifies = std::max(verifies,
                            ratePerSecond([&] { ok &= verifier.verify(cert, body, sig); }));
        pages = std::max(pages,
                         ratePerSecond([&] { ok &= checkChain(page, cert, verifier, false); }));
        pagesEach = std::max(pagesEach,
                             ratePerSecond([&] { ok &= checkChain(page, cert, verifier, true); }));
    }
    if (!ok) {
        std::fprintf(stderr, "bench: a signature or chain failed to check\n");
        return 1;
    }

    std::printf("| %-66s | %12s | %s\n",
                "ECDSA P-256 (OpenSSL EVP), one core",
                "per second",
                "each");
    std::printf("|%s|%s|------\n", QByteArray(68, '-').constData(), QByteArray(14, '-').constData());
    std::printf("| %-66s | %12.0f | %.1f µs\n",
                qPrintable(u"sign a %1-byte body"_s.arg(body.size())),
                signs,
                1e6 / signs);
    std::printf("| %-66s | %12.0f | %.1f µs\n",
                qPrintable(u"verify a %1-byte body (key cached)"_s.arg(body.size())),
                verifies,
                1e6 / verifies);
    std::printf("| %-66s | %12.0f | %.2f ms\n",
                qPrintable(u"%1-message page: decode, chain check + one verify (messages)"_s.arg(
                    PageMessages)),
                pages * PageMessages,
                1e3 / pages);
    std::printf("| %-66s | %12.0f | %.2f ms\n",
                qPrintable(u"%1-message page: decode, chain check, verify each (messages)"_s.arg(
                    PageMessages)),
                pagesEach * PageMessages,
                1e3 / pagesEach);
    std::fflush(stdout);
    return 0;
}
