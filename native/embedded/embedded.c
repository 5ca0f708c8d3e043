/*
 * wsgi-express embedded mode: the native part (docs/embedded-mode.md).
 *
 * It does only what cannot be done in JavaScript or Python:
 *   - dlopen() the user's libpython (RTLD_GLOBAL, so that C extensions find its
 *     symbols) and look up the few Py* functions used here with dlsym(): no link-time
 *     dependency on libpython and no Python headers, so one build serves every
 *     Python 3.9+ (the functions and structs used are all in the stable ABI);
 *   - Py_InitializeEx(0) once (Python installs no signal handlers of its own), run the
 *     bootstrap (python/_wsgi_express/embedded.py), then release the GIL for good: the
 *     event loop thread never takes it again;
 *   - in-process byte pipes ("slots") between JavaScript and the Python threads: one
 *     per request thread plus one for control. Python's recv() and send() wait on a
 *     condition variable with the GIL released; JavaScript's push() never blocks.
 *     Everything Python sends reaches JavaScript through one wake-up of the event loop
 *     (uv_async_send) per batch, however many pieces the batch holds.
 * The Python side speaks the daemon protocol's frames over these pipes, so the daemon
 * runtime (environ, mod_wsgi, wsgi.input, file_wrapper, errors) is reused unchanged.
 */
#include <dlfcn.h>
#include <node_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <wchar.h>

/* ---- The three libuv calls used, declared by hand as the Py* ones are: node exports
 * libuv's symbols to addons, and the node-api-headers package has no uv.h. A uv_async_t
 * is 128 bytes on 64-bit libuv 1.x; the storage below is larger and aligned. ---- */
typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
typedef struct uv_async_s uv_async_t;
typedef void (*uv_async_cb)(uv_async_t *);
extern int uv_async_init(uv_loop_t *, uv_async_t *, uv_async_cb);
extern int uv_async_send(uv_async_t *);
extern void uv_unref(uv_handle_t *);

/* ---- The few pieces of the CPython stable ABI used here, declared by hand. ---- */
typedef struct py_object PyObject;
typedef ssize_t Py_ssize_t;
typedef PyObject *(*PyCFunction)(PyObject *, PyObject *);
typedef struct {
  const char *ml_name;
  PyCFunction ml_meth;
  int ml_flags;
  const char *ml_doc;
} PyMethodDef;
#define METH_VARARGS 0x0001

static struct {
  void (*InitializeEx)(int);
  void (*SetProgramName)(const wchar_t *);
  wchar_t *(*DecodeLocale)(const char *, size_t *);
  PyObject *(*ImportModule)(const char *);
  PyObject *(*GetAttrString)(PyObject *, const char *);
  PyObject *(*CallObject)(PyObject *, PyObject *);
  PyObject *(*TupleNew)(Py_ssize_t);
  int (*TupleSetItem)(PyObject *, Py_ssize_t, PyObject *);
  PyObject *(*TupleGetItem)(PyObject *, Py_ssize_t);
  int (*ListInsert)(PyObject *, Py_ssize_t, PyObject *);
  PyObject *(*UnicodeFromString)(const char *);
  PyObject *(*UnicodeAsUTF8String)(PyObject *);
  PyObject *(*BytesFromStringAndSize)(const char *, Py_ssize_t);
  int (*BytesAsStringAndSize)(PyObject *, char **, Py_ssize_t *);
  PyObject *(*LongFromLong)(long);
  long (*LongAsLong)(PyObject *);
  PyObject *(*CFunctionNewEx)(PyMethodDef *, PyObject *, PyObject *);
  void *(*SaveThread)(void);
  void (*RestoreThread)(void *);
  void (*DecRef)(PyObject *);
  void (*ErrPrint)(void);
  int (*FinalizeEx)(void);
} py;

/* ---- Slots: one byte pipe each way per Python thread. ---- */
typedef struct chunk {
  struct chunk *next;
  int slot;
  int drain; /* an event, not data: the slot's input fell below its window */
  size_t len;
  char data[];
} chunk;

typedef struct {
  chunk *in_head, *in_tail;
  size_t in_bytes;     /* pushed by JavaScript, not yet taken by Python */
  size_t out_bytes;    /* sent by Python, not yet delivered to JavaScript */
  int drain_wanted;    /* push() said "full": tell JavaScript when it is not */
  int paused;          /* the HTTP client is slow: send() waits */
  int closed;
  pthread_cond_t in_cond, out_cond;
} slot_t;

/* What JavaScript pushes before push() says "wait for the drain event", and what
 * Python may have in flight towards JavaScript before send() waits. */
#define IN_WINDOW (512 * 1024)
#define OUT_WINDOW (1024 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slot_t *slots;
static int slot_count;
static chunk *out_head, *out_tail;
static int delivery_scheduled;
static int started;
/* The wake-up of the event loop: uv_async_send() takes no lock (a threadsafe
 * function's call holds its mutex while it wakes the loop, and the loop, woken at
 * once on the other core, then sleeps on that mutex: two more futex calls and a
 * context switch a batch). */
static _Alignas(16) char async_storage[512];
#define ASYNC ((uv_async_t *)async_storage)
static napi_env loop_env;
static napi_ref deliver_ref;
static napi_async_context deliver_context;
/* The main thread's state, saved when it released the GIL after start-up. */
static void *main_state;

static chunk *new_chunk(int slot, const char *data, size_t len) {
  chunk *c = malloc(sizeof(chunk) + len);
  if (c == NULL) return NULL;
  c->next = NULL;
  c->slot = slot;
  c->drain = 0;
  c->len = len;
  if (len && data) memcpy(c->data, data, len);
  return c;
}

/* Queues an output item for JavaScript; the caller holds the lock. Returns whether a
 * delivery must be scheduled (outside the lock). */
static int queue_out(chunk *c) {
  if (out_tail) out_tail->next = c;
  else out_head = c;
  out_tail = c;
  if (delivery_scheduled) return 0;
  delivery_scheduled = 1;
  return 1;
}

static void schedule_delivery(void) { uv_async_send(ASYNC); }

/* ---- Called by Python threads (with the GIL: released while waiting). ---- */

static int slot_arg(PyObject *args) {
  long slot = py.LongAsLong(py.TupleGetItem(args, 0));
  return slot >= 0 && slot < slot_count ? (int)slot : -1;
}

/* recv(slot) -> bytes: the next piece JavaScript pushed; b"" once the slot is closed. */
static PyObject *py_recv(PyObject *self, PyObject *args) {
  (void)self;
  int slot = slot_arg(args);
  if (slot < 0) return py.BytesFromStringAndSize("", 0);
  slot_t *s = &slots[slot];
  void *state = py.SaveThread();
  int schedule = 0;
  pthread_mutex_lock(&lock);
  while (s->in_head == NULL && !s->closed) pthread_cond_wait(&s->in_cond, &lock);
  chunk *c = s->in_head;
  if (c) {
    s->in_head = c->next;
    if (s->in_head == NULL) s->in_tail = NULL;
    s->in_bytes -= c->len;
    if (s->drain_wanted && s->in_bytes < IN_WINDOW / 2) {
      chunk *event = new_chunk(slot, NULL, 0);
      if (event) {
        s->drain_wanted = 0;
        event->drain = 1;
        schedule = queue_out(event);
      }
    }
  }
  pthread_mutex_unlock(&lock);
  if (schedule) schedule_delivery();
  py.RestoreThread(state);
  PyObject *bytes = py.BytesFromStringAndSize(c ? c->data : "", c ? (Py_ssize_t)c->len : 0);
  free(c);
  return bytes;
}

/* send(slot, data: bytes) -> int: queued for JavaScript; waits while the slot is paused
 * (a slow client) or too much is in flight. -1 once the slot is closed. */
static PyObject *py_send(PyObject *self, PyObject *args) {
  (void)self;
  int slot = slot_arg(args);
  char *data;
  Py_ssize_t len;
  if (slot < 0 || py.BytesAsStringAndSize(py.TupleGetItem(args, 1), &data, &len) < 0) {
    return NULL; /* the TypeError is set */
  }
  slot_t *s = &slots[slot];
  /* The bytes object is kept alive by the argument tuple while the GIL is released. */
  void *state = py.SaveThread();
  chunk *c = new_chunk(slot, data, (size_t)len);
  long result = c ? (long)len : -1;
  int schedule = 0;
  pthread_mutex_lock(&lock);
  while (c && (s->paused || s->out_bytes > OUT_WINDOW) && !s->closed) {
    pthread_cond_wait(&s->out_cond, &lock);
  }
  if (c && s->closed) {
    free(c);
    result = -1;
  } else if (c) {
    s->out_bytes += c->len;
    schedule = queue_out(c);
  }
  pthread_mutex_unlock(&lock);
  if (schedule) schedule_delivery();
  py.RestoreThread(state);
  return py.LongFromLong(result);
}

static PyMethodDef recv_def = {"recv", py_recv, METH_VARARGS, NULL};
static PyMethodDef send_def = {"send", py_send, METH_VARARGS, NULL};

/* ---- The event loop side. ---- */

/* On the event loop thread: everything queued since the last call, as one array of
 * [slot, piece, slot, piece, ...] (piece null: a drain event) for one JavaScript call. */
static void deliver(uv_async_t *handle) {
  (void)handle;
  napi_env env = loop_env;
  pthread_mutex_lock(&lock);
  chunk *c = out_head;
  out_head = out_tail = NULL;
  delivery_scheduled = 0;
  for (chunk *each = c; each; each = each->next) {
    slot_t *s = &slots[each->slot];
    if (each->drain) continue;
    int was_full = s->out_bytes > OUT_WINDOW;
    s->out_bytes -= each->len;
    if (was_full && s->out_bytes <= OUT_WINDOW) pthread_cond_broadcast(&s->out_cond);
  }
  pthread_mutex_unlock(&lock);
  if (c == NULL) return;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value array, value, callback;
  napi_create_array(env, &array);
  uint32_t index = 0;
  while (c) {
    chunk *next = c->next;
    napi_create_int32(env, c->slot, &value);
    napi_set_element(env, array, index++, value);
    if (c->drain) {
      napi_get_null(env, &value);
      free(c);
    } else {
      /* A copy, not an external buffer: an external buffer's finalizer costs the
       * garbage collector more than copying a response piece does. */
      napi_create_buffer_copy(env, c->len, c->data, NULL, &value);
      free(c);
    }
    napi_set_element(env, array, index++, value);
    c = next;
  }
  /* As a threadsafe function's call: process.nextTick and promise jobs run after it,
   * and an exception it throws is the process's uncaught exception. */
  napi_value global;
  napi_get_global(env, &global);
  napi_get_reference_value(env, deliver_ref, &callback);
  if (napi_make_callback(env, deliver_context, global, callback, 1, &array, NULL) != napi_ok) {
    napi_value error;
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int get_string(napi_env env, napi_value value, char *out, size_t size) {
  size_t written;
  return napi_get_value_string_utf8(env, value, out, size, &written) == napi_ok &&
         written < size - 1;
}

#define LOOKUP(field, name)                                   \
  if ((*(void **)&py.field = dlsym(library, name)) == NULL) { \
    snprintf(error, error_size, "%s has no %s", path, name);  \
    return 0;                                                 \
  }

static int load_python(const char *path, char *error, size_t error_size) {
  /* RTLD_GLOBAL: C extension modules are not linked against libpython and find its
   * symbols in the global scope, as they do in the python executable. */
  void *library = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  if (library == NULL) {
    snprintf(error, error_size, "cannot load %s: %s", path, dlerror());
    return 0;
  }
  LOOKUP(InitializeEx, "Py_InitializeEx");
  LOOKUP(SetProgramName, "Py_SetProgramName");
  LOOKUP(DecodeLocale, "Py_DecodeLocale");
  LOOKUP(ImportModule, "PyImport_ImportModule");
  LOOKUP(GetAttrString, "PyObject_GetAttrString");
  LOOKUP(CallObject, "PyObject_CallObject");
  LOOKUP(TupleNew, "PyTuple_New");
  LOOKUP(TupleSetItem, "PyTuple_SetItem");
  LOOKUP(TupleGetItem, "PyTuple_GetItem");
  LOOKUP(ListInsert, "PyList_Insert");
  LOOKUP(UnicodeFromString, "PyUnicode_FromString");
  LOOKUP(UnicodeAsUTF8String, "PyUnicode_AsUTF8String");
  LOOKUP(BytesFromStringAndSize, "PyBytes_FromStringAndSize");
  LOOKUP(BytesAsStringAndSize, "PyBytes_AsStringAndSize");
  LOOKUP(LongFromLong, "PyLong_FromLong");
  LOOKUP(LongAsLong, "PyLong_AsLong");
  LOOKUP(CFunctionNewEx, "PyCFunction_NewEx");
  LOOKUP(SaveThread, "PyEval_SaveThread");
  LOOKUP(DecRef, "Py_DecRef");
  LOOKUP(ErrPrint, "PyErr_Print");
  LOOKUP(RestoreThread, "PyEval_RestoreThread");
  LOOKUP(FinalizeEx, "Py_FinalizeEx");
  return 1;
}

/* Runs python/_wsgi_express/embedded.py's start(recv, send, package_dir, settings) on
 * this (the main) thread; returns its JSON answer as a malloc'd string, or NULL. */
static char *bootstrap(const char *package_dir, const char *settings) {
  PyObject *sys = py.ImportModule("sys");
  PyObject *path = sys ? py.GetAttrString(sys, "path") : NULL;
  PyObject *dir = py.UnicodeFromString(package_dir);
  if (path == NULL || dir == NULL || py.ListInsert(path, 0, dir) < 0) goto failed;
  PyObject *module = py.ImportModule("_wsgi_express.embedded");
  PyObject *start = module ? py.GetAttrString(module, "start") : NULL;
  if (start == NULL) goto failed;
  PyObject *args = py.TupleNew(4);
  py.TupleSetItem(args, 0, py.CFunctionNewEx(&recv_def, NULL, NULL));
  py.TupleSetItem(args, 1, py.CFunctionNewEx(&send_def, NULL, NULL));
  py.TupleSetItem(args, 2, py.UnicodeFromString(package_dir));
  py.TupleSetItem(args, 3, py.UnicodeFromString(settings));
  PyObject *answer = py.CallObject(start, args);
  py.DecRef(args);
  PyObject *encoded = answer ? py.UnicodeAsUTF8String(answer) : NULL;
  char *text;
  Py_ssize_t len;
  if (encoded == NULL || py.BytesAsStringAndSize(encoded, &text, &len) < 0) goto failed;
  char *copy = strndup(text, (size_t)len);
  py.DecRef(encoded);
  py.DecRef(answer);
  return copy;
failed:
  py.ErrPrint();
  return NULL;
}

/* start(libpython, programName, packageDir, settingsJson, slotCount, onOutput) ->
 * the bootstrap's JSON answer. Once per process. */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  char library[4096], program[4096], package_dir[4096], error[4600];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (started) return throw_error(env, "embedded Python is already started");
  if (argc < 6 || !get_string(env, argv[0], library, sizeof library) ||
      !get_string(env, argv[1], program, sizeof program) ||
      !get_string(env, argv[2], package_dir, sizeof package_dir)) {
    return throw_error(env, "start(libpython, programName, packageDir, settings, slots, onOutput)");
  }
  size_t settings_len;
  napi_get_value_string_utf8(env, argv[3], NULL, 0, &settings_len);
  char *settings = malloc(settings_len + 1);
  napi_get_value_string_utf8(env, argv[3], settings, settings_len + 1, &settings_len);
  int32_t count;
  napi_get_value_int32(env, argv[4], &count);
  if (count < 1 || count > 4096) return throw_error(env, "slots must be 1 to 4096");
  if (!load_python(library, error, sizeof error)) return throw_error(env, error);
  slots = calloc((size_t)count, sizeof(slot_t));
  slot_count = count;
  for (int i = 0; i < count; i++) {
    pthread_cond_init(&slots[i].in_cond, NULL);
    pthread_cond_init(&slots[i].out_cond, NULL);
  }
  napi_value name, resource;
  uv_loop_t *loop;
  napi_create_string_utf8(env, "wsgi-express-embedded", NAPI_AUTO_LENGTH, &name);
  napi_create_object(env, &resource);
  napi_async_init(env, resource, name, &deliver_context);
  napi_create_reference(env, argv[5], 1, &deliver_ref);
  loop_env = env;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_async_init(loop, ASYNC, deliver) != 0) {
    return throw_error(env, "cannot set up the event loop's wake-up");
  }
  /* The HTTP server keeps the process alive, not Python's output. */
  uv_unref((uv_handle_t *)ASYNC);
  started = 1;
  /* The venv's (or installation's) python executable: Python finds its prefix, and a
   * venv's pyvenv.cfg, from it, as it does when run as that executable. */
  py.SetProgramName(py.DecodeLocale(program, NULL));
  py.InitializeEx(0);
  char *answer = bootstrap(package_dir, settings);
  free(settings);
  /* From here on the event loop thread never holds the GIL. */
  main_state = py.SaveThread();
  if (answer == NULL) return throw_error(env, "the embedded Python bootstrap failed (see stderr)");
  napi_value result;
  napi_create_string_utf8(env, answer, NAPI_AUTO_LENGTH, &result);
  free(answer);
  return result;
}

static int slot_of(napi_env env, napi_value value) {
  int32_t slot = -1;
  napi_get_value_int32(env, value, &slot);
  return started && slot >= 0 && slot < slot_count ? slot : -1;
}

/* One chunk of a buffer, or of an array of buffers joined in order; NULL if `value` is
 * neither (or memory ran out). */
static chunk *chunk_of(napi_env env, int slot, napi_value value) {
  void *data;
  size_t len;
  bool is_array = false;
  if (napi_get_buffer_info(env, value, &data, &len) == napi_ok) {
    return new_chunk(slot, data, len);
  }
  uint32_t count;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, value, &count) != napi_ok) {
    return NULL;
  }
  size_t total = 0;
  napi_value each;
  for (uint32_t i = 0; i < count; i++) {
    napi_get_element(env, value, i, &each);
    if (napi_get_buffer_info(env, each, &data, &len) != napi_ok) return NULL;
    total += len;
  }
  chunk *c = new_chunk(slot, NULL, total); /* filled below */
  if (c == NULL) return NULL;
  total = 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_get_element(env, value, i, &each);
    napi_get_buffer_info(env, each, &data, &len);
    memcpy(c->data + total, data, len);
    total += len;
  }
  return c;
}

/* push(slot, buffer or [buffer, ...]) -> boolean: false when the slot's input is full
 * (wait for its drain event before pushing more). */
static napi_value push(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int slot = argc == 2 ? slot_of(env, argv[0]) : -1;
  chunk *c = slot < 0 ? NULL : chunk_of(env, slot, argv[1]);
  if (c == NULL) return throw_error(env, "push(slot, buffer or buffers)");
  size_t len = c->len;
  slot_t *s = &slots[slot];
  if (len == 0) {
    /* Nothing to send, and an empty piece would read as the slot's end in Python. */
    free(c);
    napi_get_boolean(env, true, &result);
    return result;
  }
  pthread_mutex_lock(&lock);
  int room = 0, pushed = 0;
  if (s->closed) {
    free(c);
  } else {
    pushed = 1;
    if (s->in_tail) s->in_tail->next = c;
    else s->in_head = c;
    s->in_tail = c;
    s->in_bytes += len;
    room = s->in_bytes < IN_WINDOW;
    if (!room) s->drain_wanted = 1;
  }
  pthread_mutex_unlock(&lock);
  /* Signalled after the unlock: a thread woken inside it would only sleep again on the
   * mutex (two more futex calls and a context switch a request). */
  if (pushed) pthread_cond_signal(&s->in_cond);
  napi_get_boolean(env, room, &result);
  return result;
}

/* control(slot, what): 0 pause, 1 resume, 2 close. */
static napi_value control(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t what = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int slot = argc == 2 ? slot_of(env, argv[0]) : -1;
  if (slot < 0 || napi_get_value_int32(env, argv[1], &what) != napi_ok) {
    return throw_error(env, "control(slot, what)");
  }
  slot_t *s = &slots[slot];
  pthread_mutex_lock(&lock);
  if (what == 0) s->paused = 1;
  if (what == 1) s->paused = 0;
  if (what == 2) s->closed = 1;
  pthread_cond_broadcast(&s->out_cond);
  pthread_cond_broadcast(&s->in_cond);
  pthread_mutex_unlock(&lock);
  return NULL;
}

/* finalize() -> Py_FinalizeEx's status, or null when Python is not running. For the
 * worker's exit: the event loop thread takes the GIL (back) and Python runs its atexit
 * handlers and finalises; daemon threads still in the application stop at their next
 * attempt to take the GIL. */
static napi_value finalize(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  if (main_state == NULL) {
    napi_get_null(env, &result);
    return result;
  }
  py.RestoreThread(main_state);
  main_state = NULL;
  napi_create_int32(env, py.FinalizeEx(), &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"push", NULL, push, NULL, NULL, NULL, napi_default, NULL},
      {"control", NULL, control, NULL, NULL, NULL, napi_default, NULL},
      {"finalize", NULL, finalize, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 4, properties);
  return exports;
}

NAPI_MODULE(wsgi_express_embedded, init)
