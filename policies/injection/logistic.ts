import type { SparseVector } from "./features.ts";
import { FEATURE_BITS } from "./features.ts";

/**
 * L2-regularised logistic regression over sparse hashed features, trained by full-batch gradient
 * descent with Nesterov momentum: deterministic (no shuffling, no random init), so the same data
 * always gives the same weights. Classes are weighted to balance, so the decision threshold 0.5
 * means "as likely an injection as not" whatever the mix of the training file.
 */
export interface TrainingExample {
  vector: SparseVector;
  label: 0 | 1;
}

export interface TrainOptions {
  /** L2 strength on the mean loss */
  l2: number;
  epochs: number;
  learningRate: number;
  momentum: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { l2: 3e-4, epochs: 400, learningRate: 2, momentum: 0.9 };

export interface LogisticModel {
  bias: number;
  /** dense weights over the hashed feature space */
  weights: Float64Array;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function score(model: LogisticModel, vector: SparseVector): number {
  let z = model.bias;
  for (let index = 0; index < vector.indices.length; index++) {
    z += model.weights[vector.indices[index]!]! * vector.values[index]!;
  }
  return sigmoid(z);
}

export function train(
  examples: readonly TrainingExample[],
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): LogisticModel {
  const dimensions = 1 << FEATURE_BITS;
  const positives = examples.filter((example) => example.label === 1).length;
  const negatives = examples.length - positives;
  if (positives === 0 || negatives === 0)
    throw new RangeError("training needs both injections and benign texts");
  const classWeight = [examples.length / (2 * negatives), examples.length / (2 * positives)] as const;
  // Only features seen in training can move; the rest stay exactly 0.
  const active = [...new Set(examples.flatMap((example) => [...example.vector.indices]))];
  const weights = new Float64Array(dimensions);
  const velocity = new Float64Array(dimensions);
  const gradient = new Float64Array(dimensions);
  let bias = 0;
  let biasVelocity = 0;
  const n = examples.length;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    // Nesterov: the gradient is taken at the look-ahead point w + momentum·v.
    for (const index of active) gradient[index] = 0;
    const lookAheadBias = bias + options.momentum * biasVelocity;
    let biasGradient = 0;
    for (const example of examples) {
      const { indices, values } = example.vector;
      let z = lookAheadBias;
      for (let k = 0; k < indices.length; k++) {
        const index = indices[k]!;
        z += (weights[index]! + options.momentum * velocity[index]!) * values[k]!;
      }
      const error = (sigmoid(z) - example.label) * classWeight[example.label];
      biasGradient += error / n;
      for (let k = 0; k < indices.length; k++) gradient[indices[k]!]! += (error * values[k]!) / n;
    }
    for (const index of active) {
      const lookAhead = weights[index]! + options.momentum * velocity[index]!;
      velocity[index] =
        options.momentum * velocity[index]! -
        options.learningRate * (gradient[index]! + options.l2 * lookAhead);
      weights[index]! += velocity[index]!;
    }
    biasVelocity = options.momentum * biasVelocity - options.learningRate * biasGradient;
    bias += biasVelocity;
  }
  return { bias, weights };
}

/**
 * The weights file: the non-zero weights as two base64 strings (uint32 feature indices and float32
 * weights, little-endian), so the file stays compact and formatters leave it alone.
 */
export interface SerializedModel {
  format: "overture-injection-logreg-v2";
  featureBits: number;
  bias: number;
  count: number;
  indices: string;
  weights: string;
  trainedOn: { file: string; rows: number; positives: number; sha256: string };
  options: TrainOptions;
}

export function serialize(
  model: LogisticModel,
  trainedOn: SerializedModel["trainedOn"],
  options: TrainOptions,
): SerializedModel {
  const indices: number[] = [];
  model.weights.forEach((weight, index) => {
    if (weight !== 0) indices.push(index);
  });
  const indexBytes = new DataView(new ArrayBuffer(indices.length * 4));
  const weightBytes = new DataView(new ArrayBuffer(indices.length * 4));
  indices.forEach((index, position) => {
    indexBytes.setUint32(position * 4, index, true);
    weightBytes.setFloat32(position * 4, model.weights[index]!, true);
  });
  return {
    format: "overture-injection-logreg-v2",
    featureBits: FEATURE_BITS,
    bias: model.bias,
    count: indices.length,
    indices: Buffer.from(indexBytes.buffer).toString("base64"),
    weights: Buffer.from(weightBytes.buffer).toString("base64"),
    trainedOn,
    options,
  };
}

export function deserialize(serialized: SerializedModel): LogisticModel {
  if (serialized.featureBits !== FEATURE_BITS) {
    throw new RangeError(
      `weights were trained with ${serialized.featureBits} feature bits, the code uses ${FEATURE_BITS}`,
    );
  }
  const indexBytes = Buffer.from(serialized.indices, "base64");
  const weightBytes = Buffer.from(serialized.weights, "base64");
  if (indexBytes.length !== serialized.count * 4 || weightBytes.length !== serialized.count * 4) {
    throw new RangeError(`weights file is truncated: expected ${serialized.count} weights`);
  }
  const dimensions = 1 << FEATURE_BITS;
  const weights = new Float64Array(dimensions);
  for (let position = 0; position < serialized.count; position++) {
    const index = indexBytes.readUInt32LE(position * 4);
    if (index >= dimensions)
      throw new RangeError(`weights file names feature ${index}, beyond ${dimensions}`);
    weights[index] = weightBytes.readFloatLE(position * 4);
  }
  return { bias: serialized.bias, weights };
}
