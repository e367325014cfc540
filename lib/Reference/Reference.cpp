//===- Reference.cpp - float64 reference semantics of attn ----------------===//

#include "attn/Reference/Reference.h"
#include "attn/Dialect/Attn/IR/AttnOps.h"
#include "attn/Dialect/Attn/Utils/MaskUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::attn;
using namespace mlir::attn::reference;

static constexpr double kNegInf = -std::numeric_limits<double>::infinity();

/// max(m, x) that keeps a NaN: a NaN score makes its row's softmax NaN, as
/// IEEE arithmetic gives it (std::max would drop it, or turn a row of NaN
/// scores into a fully masked one).
static double maxKeepingNaN(double m, double x) {
  return std::isnan(m) || std::isnan(x) ? std::nan("") : std::max(m, x);
}

Tensor::Tensor(ArrayRef<int64_t> shape, double fill) : shape(shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  data.assign(n, fill);
}

static int64_t linearIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> index) {
  int64_t flat = 0;
  for (auto [extent, i] : llvm::zip_equal(shape, index))
    flat = flat * extent + i;
  return flat;
}

double &Tensor::at(ArrayRef<int64_t> index) {
  return data[linearIndex(shape, index)];
}
double Tensor::at(ArrayRef<int64_t> index) const {
  return data[linearIndex(shape, index)];
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

namespace {
/// Mask tables held as reference tensors.
struct TensorTables : MaskTables {
  ArrayRef<const Tensor *> tables;
  explicit TensorTables(ArrayRef<const Tensor *> tables) : tables(tables) {}
  int64_t read(unsigned t, int64_t b, int64_t h,
               ArrayRef<int64_t> trailing) const override {
    const Tensor &table = *tables[t];
    SmallVector<int64_t> index;
    size_t extra = table.shape.size() - trailing.size();
    if (extra >= 1)
      index.push_back(b);
    if (extra >= 2)
      index.push_back(h);
    llvm::append_range(index, trailing);
    return static_cast<int64_t>(table.at(index));
  }
  int64_t lastDim(unsigned t) const override { return tables[t]->shape.back(); }
};
} // namespace

bool reference::isAllowed(MaskAttrInterface mask, int64_t b, int64_t h,
                          int64_t i, int64_t j, int64_t nq, int64_t nk,
                          ArrayRef<const Tensor *> tables) {
  return mask.isAllowed({b, h, i, j, i + nk - nq}, TensorTables(tables), 0);
}

static bool allowedAt(MaskAttrInterface mask, ArrayRef<const Tensor *> tables,
                      int64_t b, int64_t h, int64_t i, int64_t j, int64_t nq,
                      int64_t nk) {
  if (!mask)
    return true;
  return isAllowed(mask, b, h, i, j, nq, nk, tables);
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

namespace {
/// Sizes of one attention problem.
struct Dims {
  int64_t batch, headsQ, headsKV, nq, nk, d, dv;
  Dims(const Tensor &q, const Tensor &k, const Tensor &v)
      : batch(q.shape[0]), headsQ(q.shape[1]), headsKV(k.shape[1]),
        nq(q.shape[2]), nk(k.shape[2]), d(q.shape[3]), dv(v.shape[3]) {}
  int64_t kvHead(int64_t h) const { return h / (headsQ / headsKV); }
};
} // namespace

Tensor reference::sdpa(const Tensor &q, const Tensor &k, const Tensor &v,
                       const SdpaParams &params, Tensor *lse) {
  const double scale = params.scale;
  MaskAttrInterface mask = params.mask;
  ArrayRef<const Tensor *> tables = params.tables;
  ScoreModAttrInterface scoreMod = params.scoreMod;
  Dims n(q, k, v);
  // The keys of the split: [⌊N·s/P⌋, ⌊N·(s+1)/P⌋).
  const int64_t splitLo = n.nk * params.split / params.splits;
  const int64_t splitHi = n.nk * (params.split + 1) / params.splits;
  Tensor out({n.batch, n.headsQ, n.nq, n.dv});
  if (lse)
    *lse = Tensor({n.batch, n.headsQ, n.nq});
  // Keys outside the mask's band are never allowed: skip them (this keeps
  // the reference usable for long sequences with windowed masks).
  MaskBand band = mask ? mask.getBand() : MaskBand{};
  std::vector<double> s(n.nk);
  std::vector<char> allowed(n.nk);
  for (int64_t b = 0; b < n.batch; ++b) {
    for (int64_t h = 0; h < n.headsQ; ++h) {
      int64_t hk = n.kvHead(h);
      const double *kHead = &k.data[((b * n.headsKV) + hk) * n.nk * n.d];
      const double *vHead = &v.data[((b * n.headsKV) + hk) * n.nk * n.dv];
      for (int64_t i = 0; i < n.nq; ++i) {
        const double *qRow = &q.data[(((b * n.headsQ) + h) * n.nq + i) * n.d];
        int64_t pos = i + n.nk - n.nq;
        int64_t jLo = band.left ? std::max(splitLo, pos - *band.left) : splitLo;
        int64_t jHi =
            band.right ? std::min(splitHi, pos + *band.right + 1) : splitHi;
        // s[j] of a key the row may not see stays −∞; such a key's K and V
        // are never read (P_ij is 0 by definition, not 0 · V_j).
        double m = kNegInf;
        for (int64_t j = jLo; j < jHi; ++j) {
          s[j] = kNegInf;
          allowed[j] = allowedAt(mask, tables, b, h, i, j, n.nq, n.nk);
          if (!allowed[j])
            continue;
          double dot = 0.0;
          for (int64_t c = 0; c < n.d; ++c)
            dot += qRow[c] * kHead[j * n.d + c];
          s[j] = scale * dot;
          if (scoreMod)
            s[j] = scoreMod.evaluate(s[j], {b, h, i, j, pos}, n.headsQ);
          m = maxKeepingNaN(m, s[j]);
        }
        double *oRow = &out.data[(((b * n.headsQ) + h) * n.nq + i) * n.dv];
        if (m == kNegInf) { // fully masked row: output 0, LSE −∞
          if (lse)
            lse->at({b, h, i}) = kNegInf;
          continue;
        }
        double sum = 0.0;
        for (int64_t j = jLo; j < jHi; ++j) {
          s[j] = std::exp(s[j] - m);
          sum += s[j];
        }
        for (int64_t j = jLo; j < jHi; ++j)
          if (allowed[j])
            for (int64_t e = 0; e < n.dv; ++e)
              oRow[e] += s[j] * vHead[j * n.dv + e];
        for (int64_t e = 0; e < n.dv; ++e)
          oRow[e] /= sum;
        if (lse)
          lse->at({b, h, i}) = m + std::log(sum);
      }
    }
  }
  return out;
}

Tensor reference::merge(ArrayRef<const Tensor *> outputs,
                        ArrayRef<const Tensor *> lses, Tensor &lse) {
  const SmallVector<int64_t> &shape = outputs.front()->shape;
  Tensor out(shape);
  lse = Tensor({shape[0], shape[1], shape[2]});
  const int64_t rows = shape[0] * shape[1] * shape[2], dv = shape[3];
  for (int64_t r = 0; r < rows; ++r) {
    // LSE = m + log Σᵢ exp(LSEᵢ − m): −∞ when no part saw a key.
    double m = kNegInf;
    for (const Tensor *part : lses)
      m = maxKeepingNaN(m, part->data[r]);
    if (m == kNegInf) {
      lse.data[r] = kNegInf;
      continue;
    }
    double sum = 0.0;
    for (const Tensor *part : lses)
      sum += std::exp(part->data[r] - m);
    lse.data[r] = m + std::log(sum);
    for (auto [o, l] : llvm::zip(outputs, lses)) {
      double w = std::exp(l->data[r] - lse.data[r]);
      for (int64_t e = 0; e < dv; ++e)
        out.data[r * dv + e] += w * o->data[r * dv + e];
    }
  }
  return out;
}

/// FAVOR+'s exponents ω_rᵀx̂ − ‖x̂‖²/2 of every row: [B, H, N, m].
static Tensor favorExponents(const Tensor &x, const Tensor &projection) {
  int64_t d = x.shape[3], m = projection.shape[1];
  int64_t rows = x.size() / std::max<int64_t>(d, 1);
  Tensor out({x.shape[0], x.shape[1], x.shape[2], m});
  double xScale = std::pow(static_cast<double>(d), -0.25);
  std::vector<double> xs(d);
  for (int64_t r = 0; r < rows; ++r) {
    double halfNorm = 0.0;
    for (int64_t c = 0; c < d; ++c) {
      xs[c] = x.data[r * d + c] * xScale;
      halfNorm += 0.5 * xs[c] * xs[c];
    }
    for (int64_t f = 0; f < m; ++f) {
      double proj = 0.0;
      for (int64_t c = 0; c < d; ++c)
        proj += xs[c] * projection.data[c * m + f];
      out.data[r * m + f] = proj - halfNorm;
    }
  }
  return out;
}

Tensor reference::favorMax(const Tensor &x, const Tensor &projection) {
  Tensor e = favorExponents(x, projection);
  int64_t m = e.shape[3];
  Tensor out({x.shape[0], x.shape[1], x.shape[2]}, kNegInf);
  for (int64_t r = 0; r < out.size(); ++r)
    for (int64_t f = 0; f < m; ++f)
      out.data[r] = std::max(out.data[r], e.data[r * m + f]);
  return out;
}

Tensor reference::featureMap(FeatureMapKind kind, const Tensor &x,
                             const Tensor *projection, const Tensor *shift) {
  if (kind != FeatureMapKind::FavorPlus) {
    Tensor out = x;
    for (double &value : out.data) {
      if (kind == FeatureMapKind::EluPlusOne)
        value = value > 0.0 ? value + 1.0 : std::exp(value);
      else if (kind == FeatureMapKind::Relu)
        value = std::max(value, 0.0);
    }
    return out;
  }
  Tensor out = favorExponents(x, *projection);
  int64_t m = out.shape[3];
  double scale = 1.0 / std::sqrt(static_cast<double>(m));
  for (int64_t r = 0; r < out.size() / std::max<int64_t>(m, 1); ++r)
    for (int64_t f = 0; f < m; ++f) {
      double &value = out.data[r * m + f];
      value = std::exp(value - (shift ? shift->data[r] : 0.0)) * scale;
    }
  return out;
}

/// x ([B, H, N]) with every row replaced by its (batch, head)'s maximum.
static Tensor headMax(Tensor x) {
  int64_t n = x.shape[2];
  for (int64_t bh = 0; bh < x.shape[0] * x.shape[1]; ++bh) {
    double *row = &x.data[bh * n];
    double best = kNegInf;
    for (int64_t j = 0; j < n; ++j)
      best = std::max(best, row[j]);
    std::fill(row, row + n, best);
  }
  return x;
}

Tensor reference::linear(FeatureMapKind kind, const Tensor &q, const Tensor &k,
                         const Tensor &v, const Tensor *projection, bool causal,
                         double eps) {
  // FAVOR+ max-stabilised: query rows by their own largest exponent, the
  // keys of a (batch, head) by their largest.
  std::optional<Tensor> shiftQ, shiftK;
  if (kind == FeatureMapKind::FavorPlus) {
    shiftQ = favorMax(q, *projection);
    shiftK = headMax(favorMax(k, *projection));
  }
  Tensor pq = featureMap(kind, q, projection, shiftQ ? &*shiftQ : nullptr);
  Tensor pk = featureMap(kind, k, projection, shiftK ? &*shiftK : nullptr);
  Dims n(q, k, v);
  int64_t f = pq.shape[3];
  Tensor out({n.batch, n.headsQ, n.nq, n.dv});
  for (int64_t b = 0; b < n.batch; ++b)
    for (int64_t h = 0; h < n.headsQ; ++h) {
      int64_t hk = n.kvHead(h);
      for (int64_t i = 0; i < n.nq; ++i) {
        std::vector<double> num(n.dv, 0.0);
        double den = 0.0;
        for (int64_t j = 0; j < n.nk; ++j) {
          if (causal && j > i + n.nk - n.nq)
            continue;
          double a = 0.0;
          for (int64_t c = 0; c < f; ++c)
            a += pq.at({b, h, i, c}) * pk.at({b, hk, j, c});
          den += a;
          for (int64_t e = 0; e < n.dv; ++e)
            num[e] += a * v.at({b, hk, j, e});
        }
        den += eps;
        for (int64_t e = 0; e < n.dv; ++e)
          out.at({b, h, i, e}) = den == 0.0 ? 0.0 : num[e] / den;
      }
    }
  return out;
}

/// attn.gather_pages: [B, H, M·S, d] from pages [P, H, S, d] and table
/// [B, M]. A table entry outside [0, P) is an error.
static FailureOr<Tensor> gatherPages(Operation *op, const Tensor &pages,
                                     const Tensor &table) {
  const int64_t numPages = pages.shape[0], heads = pages.shape[1];
  const int64_t size = pages.shape[2], d = pages.shape[3];
  const int64_t batch = table.shape[0], slots = table.shape[1];
  Tensor out({batch, heads, slots * size, d});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t m = 0; m < slots; ++m) {
      double entry = table.at({b, m});
      if (!(entry >= 0 && entry < static_cast<double>(numPages)))
        return op->emitOpError()
               << "table entry [" << b << ", " << m << "] is " << entry
               << ", outside [0, " << numPages << ")";
      auto page = static_cast<int64_t>(entry);
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t r = 0; r < size; ++r)
          for (int64_t x = 0; x < d; ++x)
            out.at({b, h, m * size + r, x}) = pages.at({page, h, r, x});
    }
  return out;
}

/// Y[b, h, r, c] = Σ_n E[r, n] X[b, h, n, c] (attn.project_sequence).
static Tensor projectSequence(const Tensor &x, const Tensor &e) {
  int64_t rows = e.shape[0], n = x.shape[2], d = x.shape[3];
  Tensor y({x.shape[0], x.shape[1], rows, d});
  for (int64_t b = 0; b < x.shape[0]; ++b)
    for (int64_t h = 0; h < x.shape[1]; ++h)
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < n; ++j) {
          double w = e.data[r * n + j];
          for (int64_t c = 0; c < d; ++c)
            y.at({b, h, r, c}) += w * x.at({b, h, j, c});
        }
  return y;
}

//===----------------------------------------------------------------------===//
// Graph ops, one at a time (materialising, like their definitions)
//===----------------------------------------------------------------------===//

static Tensor scores(const Tensor &q, const Tensor &k, double scale) {
  int64_t batch = q.shape[0], hq = q.shape[1], nq = q.shape[2], d = q.shape[3];
  int64_t hkv = k.shape[1], nk = k.shape[2];
  Tensor s({batch, hq, nq, nk});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < hq; ++h)
      for (int64_t i = 0; i < nq; ++i)
        for (int64_t j = 0; j < nk; ++j) {
          double dot = 0.0;
          for (int64_t c = 0; c < d; ++c)
            dot += q.at({b, h, i, c}) * k.at({b, h / (hq / hkv), j, c});
          s.at({b, h, i, j}) = scale * dot;
        }
  return s;
}

/// Applies `f(row, length)` to every last-dim row of a rank-4 tensor.
template <typename Fn>
static Tensor mapRows(Tensor t, Fn f) {
  int64_t len = t.shape[3];
  for (int64_t r = 0; r < t.size() / std::max<int64_t>(len, 1); ++r)
    f(&t.data[r * len], len);
  return t;
}

static Tensor softmaxRows(const Tensor &s) {
  return mapRows(s, [](double *row, int64_t len) {
    double m = kNegInf;
    for (int64_t j = 0; j < len; ++j)
      m = maxKeepingNaN(m, row[j]);
    if (m == kNegInf) {
      std::fill(row, row + len, 0.0);
      return;
    }
    double sum = 0.0;
    for (int64_t j = 0; j < len; ++j)
      sum += (row[j] = std::exp(row[j] - m));
    for (int64_t j = 0; j < len; ++j)
      row[j] /= sum;
  });
}

static Tensor applyProbs(const Tensor &p, const Tensor &v) {
  int64_t batch = p.shape[0], hq = p.shape[1], nq = p.shape[2], nk = p.shape[3];
  int64_t hkv = v.shape[1], dv = v.shape[3];
  Tensor o({batch, hq, nq, dv});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < hq; ++h)
      for (int64_t i = 0; i < nq; ++i)
        for (int64_t e = 0; e < dv; ++e) {
          double acc = 0.0;
          for (int64_t j = 0; j < nk; ++j)
            acc += p.at({b, h, i, j}) * v.at({b, h / (hq / hkv), j, e});
          o.at({b, h, i, e}) = acc;
        }
  return o;
}

static double scaleOf(std::optional<APFloat> scale, const Tensor &q) {
  return scale ? scale->convertToDouble()
               : 1.0 / std::sqrt(static_cast<double>(q.shape[3]));
}

static FailureOr<Tensor> constantTensor(arith::ConstantOp op) {
  auto elements = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!elements)
    return op.emitError("attn reference: only dense constants are supported");
  Tensor t(elements.getType().getShape());
  int64_t i = 0;
  if (isa<FloatType>(elements.getElementType())) {
    for (APFloat value : elements.getValues<APFloat>())
      t.data[i++] = value.convertToDouble();
  } else {
    for (APInt value : elements.getValues<APInt>())
      t.data[i++] = static_cast<double>(value.getSExtValue());
  }
  return t;
}

FailureOr<SmallVector<Tensor>>
reference::evaluate(func::FuncOp func, ArrayRef<Tensor> args) {
  DenseMap<Value, Tensor> env;
  for (auto [arg, tensor] : llvm::zip_equal(func.getArguments(), args))
    env[arg] = tensor;
  auto get = [&](Value v) -> const Tensor & { return env.find(v)->second; };
  auto tablesOf = [&](ValueRange values) {
    SmallVector<const Tensor *> tables;
    for (Value v : values)
      tables.push_back(&get(v));
    return tables;
  };

  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      SmallVector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(get(v));
      return results;
    }
    LogicalResult ok =
        TypeSwitch<Operation *, LogicalResult>(&op)
            .Case([&](arith::ConstantOp c) -> LogicalResult {
              FailureOr<Tensor> t = constantTensor(c);
              if (failed(t))
                return failure();
              env[c.getResult()] = *t;
              return success();
            })
            .Case([&](ScoresOp s) {
              const Tensor &q = get(s.getQuery());
              env[s.getResult()] =
                  scores(q, get(s.getKey()), scaleOf(s.getScale(), q));
              return success();
            })
            .Case([&](MaskOp m) {
              Tensor t = get(m.getInput());
              double fill = m.getFill() == MaskFill::NegInf ? kNegInf : 0.0;
              SmallVector<const Tensor *> tables = tablesOf(m.getTables());
              int64_t nq = t.shape[2], nk = t.shape[3];
              for (int64_t b = 0; b < t.shape[0]; ++b)
                for (int64_t h = 0; h < t.shape[1]; ++h)
                  for (int64_t i = 0; i < nq; ++i)
                    for (int64_t j = 0; j < nk; ++j)
                      if (!allowedAt(m.getMask(), tables, b, h, i, j, nq, nk))
                        t.at({b, h, i, j}) = fill;
              env[m.getResult()] = std::move(t);
              return success();
            })
            .Case([&](SoftmaxOp s) {
              env[s.getResult()] = softmaxRows(get(s.getInput()));
              return success();
            })
            .Case([&](ApplyOp a) {
              env[a.getResult()] =
                  applyProbs(get(a.getProbs()), get(a.getValue()));
              return success();
            })
            .Case([&](ProjectSequenceOp p) {
              env[p.getResult()] =
                  projectSequence(get(p.getInput()), get(p.getProjection()));
              return success();
            })
            .Case([&](GatherPagesOp g) -> LogicalResult {
              FailureOr<Tensor> t =
                  gatherPages(g, get(g.getPages()), get(g.getTable()));
              if (failed(t))
                return failure();
              env[g.getResult()] = std::move(*t);
              return success();
            })
            .Case([&](FavorMaxOp f) {
              env[f.getResult()] =
                  favorMax(get(f.getInput()), get(f.getProjection()));
              return success();
            })
            .Case([&](FeatureMapOp f) {
              const Tensor *proj =
                  f.getProjection() ? &get(f.getProjection()) : nullptr;
              const Tensor *shift = f.getShift() ? &get(f.getShift()) : nullptr;
              env[f.getResult()] =
                  featureMap(f.getKind(), get(f.getInput()), proj, shift);
              return success();
            })
            .Case([&](NormalizeOp n) {
              double eps = n.getEps().convertToDouble();
              env[n.getResult()] =
                  mapRows(get(n.getInput()), [eps](double *row, int64_t len) {
                    double sum = eps;
                    for (int64_t j = 0; j < len; ++j)
                      sum += row[j];
                    for (int64_t j = 0; j < len; ++j)
                      row[j] = sum == 0.0 ? 0.0 : row[j] / sum;
                  });
              return success();
            })
            .Case([&](SdpaOp s) {
              const Tensor &q = get(s.getQuery());
              Tensor lse;
              SmallVector<const Tensor *> tables = tablesOf(s.getTables());
              SdpaParams params{scaleOf(s.getScale(), q), s.getMaskAttr(),
                                tables, s.getScoreModAttr()};
              if (std::optional<ArrayRef<int64_t>> split = s.getKvSplit()) {
                params.split = (*split)[0];
                params.splits = (*split)[1];
              }
              env[s.getOutput()] = sdpa(q, get(s.getKey()), get(s.getValue()),
                                        params, s.getLse() ? &lse : nullptr);
              if (s.getLse())
                env[s.getLse()] = std::move(lse);
              return success();
            })
            .Case([&](MergeOp m) {
              SmallVector<const Tensor *> outputs, lses;
              for (Value part : m.getOutputs())
                outputs.push_back(&get(part));
              for (Value part : m.getLses())
                lses.push_back(&get(part));
              Tensor lse;
              env[m.getOutput()] = merge(outputs, lses, lse);
              env[m.getLse()] = std::move(lse);
              return success();
            })
            .Case([&](LinearOp l) {
              const Tensor *proj =
                  l.getProjection() ? &get(l.getProjection()) : nullptr;
              env[l.getOutput()] =
                  linear(l.getFeatureMap(), get(l.getQuery()), get(l.getKey()),
                         get(l.getValue()), proj, l.getCausal(),
                         l.getEps().convertToDouble());
              return success();
            })
            .Default([](Operation *other) {
              return other->emitOpError(
                  "is not supported by the float64 attn reference");
            });
    if (failed(ok))
      return failure();
  }
  return func.emitError("attn reference: function has no func.return");
}
