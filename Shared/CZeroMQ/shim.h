#ifndef BMCP_CZEROMQ_SHIM_H
#define BMCP_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
