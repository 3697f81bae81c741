// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

// Texts that are costly to lay out, each as long as a message may be (64 KiB of UTF-8).
enum class PathologicalText { UnbrokenWord, CombiningMarks, ZwjEmoji };
QString pathologicalText(PathologicalText kind);

// Opens, scrolls and resizes the real window's conversation holding 34 such messages; prints
// the table (milliseconds the window, and with it the network, is held up).
int runLayoutBench();
