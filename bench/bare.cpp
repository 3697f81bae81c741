// SPDX-License-Identifier: GPL-3.0-or-later
// The floor under shoal-cli's start-up row: a Qt headless process that prints a line and exits,
// started and timed the same way (shoal_bench starts it; it is not run by hand).
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    std::printf("{\"event\":\"ready\"}\n");
    std::fflush(stdout);
    return 0;
}
