//===- Kernel.cpp - kernel keys and schedules as numbers ------------------===//

#include "cost-model/Kernel.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"

#include <tuple>

using namespace ddl::cost;
using llvm::StringRef;

static llvm::Error keyError(StringRef key, const llvm::Twine &why) {
  return llvm::createStringError("kernel key '" + key + "': " + why);
}

bool KernelDesc::hasDynamicSize() const {
  for (int64_t size : {batch, m, n, k, heads, kvHeads, dv})
    if (size == kDynamic)
      return true;
  return false;
}

llvm::Expected<KernelDesc> ddl::cost::parseKernelKey(StringRef key) {
  llvm::StringMap<StringRef> fields;
  llvm::SmallVector<StringRef> words;
  key.split(words, ' ', -1, /*KeepEmpty=*/false);
  for (StringRef word : words) {
    auto [name, value] = word.split('=');
    if (value.empty())
      return keyError(key, "word '" + word + "' is not field=value");
    fields[name] = value;
  }
  auto field = [&](StringRef name) -> llvm::Expected<StringRef> {
    auto it = fields.find(name);
    if (it == fields.end())
      return keyError(key, "no '" + name + "' field");
    return it->second;
  };
  auto size = [&](StringRef name) -> llvm::Expected<int64_t> {
    llvm::Expected<StringRef> text = field(name);
    if (!text)
      return text.takeError();
    if (*text == "?")
      return kDynamic;
    int64_t value;
    if (text->getAsInteger(10, value) || value < 0)
      return keyError(key, "'" + name + "=" + *text + "' is not a size");
    return value;
  };
  KernelDesc desc;
  llvm::Expected<StringRef> op = field("op");
  if (!op)
    return op.takeError();
  if (*op == "matmul")
    desc.kind = KernelKind::Matmul;
  else if (*op == "batch_matmul")
    desc.kind = KernelKind::BatchMatmul;
  else if (*op == "attention")
    desc.kind = KernelKind::Attention;
  else
    return keyError(key, "unknown op '" + *op + "'");
  // Reads the listed size fields into their members.
  auto read = [&](std::initializer_list<std::pair<StringRef, int64_t *>> list)
      -> llvm::Error {
    for (auto [name, member] : list) {
      llvm::Expected<int64_t> value = size(name);
      if (!value)
        return value.takeError();
      *member = *value;
    }
    return llvm::Error::success();
  };
  if (desc.kind == KernelKind::Attention) {
    if (llvm::Error error = read({{"batch", &desc.batch},
                                  {"heads", &desc.heads},
                                  {"kv_heads", &desc.kvHeads},
                                  {"q_len", &desc.m},
                                  {"kv_len", &desc.n},
                                  {"d", &desc.k},
                                  {"dv", &desc.dv}}))
      return std::move(error);
    llvm::Expected<StringRef> mods = field("mods");
    if (!mods)
      return mods.takeError();
    desc.mods = mods->str();
  } else {
    if (llvm::Error error =
            read({{"m", &desc.m}, {"n", &desc.n}, {"k", &desc.k}}))
      return std::move(error);
    if (desc.kind == KernelKind::BatchMatmul)
      if (llvm::Error error = read({{"batch", &desc.batch}}))
        return std::move(error);
    llvm::Expected<StringRef> lhs = field("lhs"), rhs = field("rhs");
    if (!lhs)
      return lhs.takeError();
    if (!rhs)
      return rhs.takeError();
    if (*lhs != "mk" && *lhs != "km")
      return keyError(key, "lhs must be mk or km");
    if (*rhs != "kn" && *rhs != "nk")
      return keyError(key, "rhs must be kn or nk");
    desc.lhsTransposed = *lhs == "km";
    desc.rhsTransposed = *rhs == "nk";
  }
  llvm::Expected<StringRef> types = field("types"), isa = field("isa");
  if (!types)
    return types.takeError();
  if (!isa)
    return isa.takeError();
  desc.types = types->str();
  desc.isa = isa->str();
  return desc;
}

static std::string sizeText(int64_t size) {
  return size == kDynamic ? std::string("?") : std::to_string(size);
}

std::string ddl::cost::kernelKey(const KernelDesc &d) {
  if (d.kind == KernelKind::Attention)
    return "op=attention batch=" + sizeText(d.batch) +
           " heads=" + sizeText(d.heads) + " kv_heads=" + sizeText(d.kvHeads) +
           " q_len=" + sizeText(d.m) + " kv_len=" + sizeText(d.n) +
           " d=" + sizeText(d.k) + " dv=" + sizeText(d.dv) +
           " types=" + d.types + " mods=" + d.mods + " isa=" + d.isa;
  std::string key = d.kind == KernelKind::Matmul
                        ? "op=matmul"
                        : "op=batch_matmul batch=" + sizeText(d.batch);
  return key + " m=" + sizeText(d.m) + " n=" + sizeText(d.n) +
         " k=" + sizeText(d.k) + " types=" + d.types +
         " lhs=" + (d.lhsTransposed ? "km" : "mk") +
         " rhs=" + (d.rhsTransposed ? "nk" : "kn") + " isa=" + d.isa;
}

KernelDesc ddl::cost::withSizes(const KernelDesc &desc,
                                const KernelDesc &concrete) {
  KernelDesc result = desc;
  auto pick = [](int64_t mine, int64_t theirs) {
    return mine == kDynamic ? theirs : mine;
  };
  result.batch = pick(desc.batch, concrete.batch);
  result.m = pick(desc.m, concrete.m);
  result.n = pick(desc.n, concrete.n);
  result.k = pick(desc.k, concrete.k);
  result.heads = pick(desc.heads, concrete.heads);
  result.kvHeads = pick(desc.kvHeads, concrete.kvHeads);
  result.dv = pick(desc.dv, concrete.dv);
  return result;
}

static auto tie(const Schedule &s) {
  return std::tie(s.attention, s.isa, s.m0, s.n0, s.k0, s.mc, s.nc, s.kc,
                  s.parallel, s.blockQ, s.blockKV);
}

bool Schedule::operator==(const Schedule &other) const {
  return tie(*this) == tie(other);
}

bool Schedule::operator<(const Schedule &other) const {
  return tie(*this) < tie(other);
}

/// Reads `[a, b, ...]` (exactly `count` integers) after `name =` in `text`.
static bool readList(StringRef text, StringRef name,
                     llvm::SmallVectorImpl<int64_t> &out, size_t count) {
  size_t at = text.find(name);
  if (at == StringRef::npos)
    return false;
  StringRef rest = text.drop_front(at + name.size()).ltrim();
  if (!rest.consume_front("=") || !(rest = rest.ltrim()).consume_front("["))
    return false;
  StringRef list = rest.take_until([](char c) { return c == ']'; });
  if (list.size() == rest.size())
    return false;
  llvm::SmallVector<StringRef> items;
  list.split(items, ',');
  for (StringRef item : items) {
    int64_t value;
    if (item.trim().getAsInteger(10, value))
      return false;
    out.push_back(value);
  }
  return out.size() == count;
}

llvm::Expected<Schedule> ddl::cost::parseSchedule(StringRef text) {
  text = text.trim();
  auto bad = [&](const llvm::Twine &why) {
    return llvm::createStringError("schedule '" + text + "': " + why);
  };
  Schedule s;
  llvm::SmallVector<int64_t> reg, cache, block;
  if (text.starts_with("#sched.attention<")) {
    if (!readList(text, "block", block, 2))
      return bad("expected block = [BQ, BKV]");
    s.attention = true;
    s.blockQ = block[0];
    s.blockKV = block[1];
    return s;
  }
  if (!text.starts_with("#sched.contraction<") || !text.ends_with(">"))
    return bad("expected #sched.contraction<...> or #sched.attention<...>");
  size_t quote = text.find('"');
  size_t close = quote == StringRef::npos ? quote : text.find('"', quote + 1);
  if (close == StringRef::npos)
    return bad("expected isa = \"...\"");
  s.isa = text.slice(quote + 1, close).str();
  if (!readList(text, "register", reg, 3) || !readList(text, "cache", cache, 3))
    return bad("expected register = [M0, N0, K0] and cache = [Mc, Nc, Kc]");
  size_t at = text.find("parallel");
  StringRef rest = at == StringRef::npos ? "" : text.drop_front(at + 8).ltrim();
  if (!rest.consume_front("=") ||
      rest.ltrim()
          .take_while([](char c) { return c >= '0' && c <= '9'; })
          .getAsInteger(10, s.parallel))
    return bad("expected parallel = 0 or 1");
  s.m0 = reg[0], s.n0 = reg[1], s.k0 = reg[2];
  s.mc = cache[0], s.nc = cache[1], s.kc = cache[2];
  return s;
}

std::string ddl::cost::printSchedule(const Schedule &s) {
  if (s.attention)
    return llvm::formatv("#sched.attention<block = [{0}, {1}]>", s.blockQ,
                         s.blockKV);
  return llvm::formatv("#sched.contraction<isa = \"{0}\", register = [{1}, "
                       "{2}, {3}], cache = [{4}, {5}, {6}], parallel = {7}>",
                       s.isa, s.m0, s.n0, s.k0, s.mc, s.nc, s.kc, s.parallel);
}
