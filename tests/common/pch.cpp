// SPDX-License-Identifier: GPL-3.0-or-later
// The precompiled headers of the test programs are made with this (tests/CMakeLists.txt).
