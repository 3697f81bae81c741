// SPDX-License-Identifier: GPL-3.0-or-later
#include "hashbench.h"

#include "files/sha256.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>

namespace {

constexpr qsizetype Total = qsizetype(512) << 20;
// As a transfer feeds it: one chunk as read from the file or the socket.
constexpr qsizetype Piece = qsizetype(Sha256::ChunkSize);
constexpr int Turns = 3;

struct Run
{
    double mbPerSecond = 0;
    QByteArray digest;
};

template<typename Hasher, typename Add, typename Result>
Run timed(const QByteArray &data, Hasher &hasher, Add add, Result result)
{
    QElapsedTimer timer;
    timer.start();
    for (qsizetype at = 0; at < data.size(); at += Piece)
        add(hasher, QByteArrayView(data).sliced(at, std::min(Piece, data.size() - at)));
    Run run;
    run.digest = result(hasher);
    run.mbPerSecond = double(data.size()) / 1e6 / (double(timer.nsecsElapsed()) / 1e9);
    return run;
}

} // namespace

int runHashBench()
{
    // Far larger than the caches, as a file's bytes are; the content does not change the speed.
    QByteArray data(Total, Qt::Uninitialized);
    char *bytes = data.data();
    for (qsizetype i = 0; i < data.size(); ++i)
        bytes[i] = char(i * 131 + (i >> 12));

    // In turns, best of each: a busy spell of the shared host lands on both.
    Run evp, qt;
    for (int turn = 0; turn < Turns; ++turn) {
        Sha256 sha;
        const Run e = timed(
            data,
            sha,
            [](Sha256 &h, QByteArrayView piece) { h.addData(piece); },
            [](const Sha256 &h) { return h.result(); });
        QCryptographicHash hash(QCryptographicHash::Sha256);
        const Run q = timed(
            data,
            hash,
            [](QCryptographicHash &h, QByteArrayView piece) { h.addData(piece); },
            [](const QCryptographicHash &h) { return h.result(); });
        if (e.digest != q.digest || e.digest.size() != Sha256::Size) {
            std::fprintf(stderr, "bench: Sha256 and QCryptographicHash disagree\n");
            return 1;
        }
        if (e.mbPerSecond > evp.mbPerSecond)
            evp = e;
        if (q.mbPerSecond > qt.mbPerSecond)
            qt = q;
    }

    std::printf("| %-58s | %10s | %s\n",
                "SHA-256 of 512 MiB in memory, 1 MiB pieces",
                "MB/s",
                "ratio");
    std::printf("|%s|%s|------\n", QByteArray(60, '-').constData(), QByteArray(12, '-').constData());
    std::printf("| %-58s | %10.0f | %.2fx\n",
                "Sha256 (OpenSSL EVP), best of 3 in turns",
                evp.mbPerSecond,
                evp.mbPerSecond / qt.mbPerSecond);
    std::printf("| %-58s | %10.0f | %.2fx\n",
                "QCryptographicHash(Sha256), best of 3 in turns",
                qt.mbPerSecond,
                1.0);
    std::fflush(stdout);
    return 0;
}
