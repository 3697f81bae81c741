#include "dispatcher.h"

Q_LOGGING_CATEGORY(lcDispatch, "shoal.dispatch")
