// SPDX-License-Identifier: GPL-3.0-or-later
#include "dispatcher.h"

Q_LOGGING_CATEGORY(lcDispatch, "shoal.dispatch")
