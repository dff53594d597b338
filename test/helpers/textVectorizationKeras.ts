import { spawnSync } from 'node:child_process';

const PY = '/usr/bin/python3'; // Debian's, with python3-h5py and python3-numpy (the pyenv python3 lacks them)

/** True when /usr/bin/python3 has h5py and numpy. */
export const haveH5py = spawnSync(PY, ['-c', 'import h5py, numpy']).status === 0;

/**
 * Python (bytes, re, numpy) for Keras's documented TextVectorization semantics, written apart
 * from mlserve's own code (src/model/textVectorizationPlan.ts) to check it: standardize with
 * tf.strings.lower's ASCII lower-casing (bytes.lower) and Keras's strip regex on the UTF-8 bytes;
 * split on runs of ASCII whitespace (bytes.split, as TF's StringSplitV2) or code points; ngrams
 * per width in order; ids after IndexLookup's special tokens (int: '' 0, '[UNK]' 1; others:
 * '[UNK]' 0, the mask '' dropped); int cut and post-padded to output_sequence_length.
 */
export const TV_PY = String.raw`
import json, re, numpy as np
STRIP = re.compile(rb'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_${'`'}{|}~\']')
def tv_tokens(text, c):
    b = text.encode('utf-8')
    if c.get('standardize', 'lower_and_strip_punctuation') in ('lower', 'lower_and_strip_punctuation'): b = b.lower()
    if c.get('standardize', 'lower_and_strip_punctuation') in ('strip_punctuation', 'lower_and_strip_punctuation'): b = STRIP.sub(b'', b)
    split = c.get('split', 'whitespace')
    if split == 'whitespace': toks = [t.decode('utf-8') for t in b.split()]
    elif split == 'character': toks = list(b.decode('utf-8'))
    else: toks = [b.decode('utf-8')]
    ng = c.get('ngrams')
    if ng is None: return toks
    widths = list(range(1, ng + 1)) if isinstance(ng, int) else ng
    out = []
    for n in widths: out += [' '.join(toks[i:i + n]) for i in range(len(toks) - n + 1)]
    return out
def tv_vectors(texts, c, vocab, idf=None):
    mode = c.get('output_mode', 'int')
    special = ['', '[UNK]'] if mode == 'int' else ['[UNK]']
    toks = vocab[len(special):] if vocab[:len(special)] == special else vocab
    index = {t: i + len(special) for i, t in enumerate(toks)}
    size = len(special) + len(toks)
    rows = []
    for text in texts:
        ids = [(0 if mode == 'int' else None) if t == '' else index.get(t, 1 if mode == 'int' else 0) for t in tv_tokens(text, c)]
        ids = [i for i in ids if i is not None]
        if mode == 'int':
            L = c['output_sequence_length']
            rows.append((ids[:L] + [0] * L)[:L])
        else:
            width = c['max_tokens'] if c.get('pad_to_max_tokens') else size
            v = np.zeros(width, np.float32)
            for i in ids: v[i] = 1 if mode == 'multi_hot' else v[i] + 1
            if mode == 'tf_idf': v = (v * np.asarray(idf, np.float32)).astype(np.float32)
            rows.append(v.tolist())
    return rows
`;

/** The models {@link writeTextVectorizationKeras} writes. */
export type TvModelKind = 'int' | 'multi_hot' | 'tf_idf';

/** What Python computed for the texts: TextVectorization's rows and the model's output rows. */
export interface TvExpected {
  vectors: number[][];
  outputs: number[][];
  vocabulary: string[];
}

/**
 * Writes `file`, a .keras zip with a TextVectorization layer, as Keras 3's saving_lib lays one out
 * (real Keras cannot be installed here and no shared fixture has this layer, so the zip is built
 * from the Keras source it follows, keras-team/keras at 3422977a5e):
 * - config.json: the Keras 3 serialisation (module/class_name/config/registered_name, DTypePolicy,
 *   InputLayer batch_shape, Functional `{args, kwargs}` inbound_nodes) with
 *   TextVectorization.get_config()'s keys (text_vectorization.py get_config: max_tokens ...
 *   vocabulary, idf_weights, encoding, vocabulary_size); metadata.json {keras_version, date_saved};
 * - model.weights.h5: saving_lib._save_state/_save_container_state: `layers/<snake_case class>`
 *   (`_1` for repeats; a Functional's InputLayer too), `vars/0..n` with attribute `name`
 *   (H5IOStore.make with metadata); the TextVectorization's StringLookup again under
 *   `_lookup_layer/` (it is walked as a child attribute); tf_idf's `idf_weights` variable
 *   (index_lookup.py save_own_variables) in both;
 * - assets/layers/text_vectorization/vocabulary.txt (and under `_lookup_layer/`): index_lookup.py
 *   save_assets, `"\n".join(get_vocabulary(include_special_tokens=True))`, written only when the
 *   vocabulary is not in the config (a vocabulary given to the constructor is in get_config()).
 * The three models: `int` Sequential(string Input (1,), TextVectorization(int, 8), Embedding,
 * GlobalAveragePooling1D, Dense softmax); `multi_hot` Functional(string Input (), TextVectorization
 * (multi_hot, ngrams 2, pad_to_max_tokens, vocabulary in the config), Dense relu, Dense softmax);
 * `tf_idf` Sequential(string Input (1,), TextVectorization(tf_idf, ngrams [1, 2], adapted), Dense).
 * Returns Python's computation for `texts` (numpy float64 forward pass).
 */
export function writeTextVectorizationKeras(file: string, kind: TvModelKind, texts: readonly string[], edit: Record<string, unknown> = {}): TvExpected {
  const code = TV_PY + String.raw`
import h5py, io, sys, zipfile
file, kind, texts, edit = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
rng = np.random.default_rng({'int': 1, 'multi_hot': 2, 'tf_idf': 3}[kind])
POLICY = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}
def layer(cls, config, **extra):
    return {'module': 'keras.layers', 'class_name': cls, 'config': config, 'registered_name': None, **extra}
def tensor(name, shape, dtype='float32'):
    return {'args': [{'class_name': '__keras_tensor__', 'config': {'shape': shape, 'dtype': dtype, 'keras_history': [name, 0, 0]}}], 'kwargs': {}}
def dense(name, units, act):
    return {'name': name, 'trainable': True, 'dtype': POLICY, 'units': units, 'activation': act, 'use_bias': True,
            'kernel_initializer': {'module': 'keras.initializers', 'class_name': 'GlorotUniform', 'config': {'seed': None}, 'registered_name': None},
            'bias_initializer': {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {}, 'registered_name': None},
            'kernel_regularizer': None, 'bias_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None, 'quantization_config': None}
def tv_config(**c):
    base = {'name': 'text_vectorization', 'trainable': True, 'dtype': POLICY, 'max_tokens': None, 'standardize': 'lower_and_strip_punctuation',
            'split': 'whitespace', 'ngrams': None, 'output_mode': 'int', 'output_sequence_length': None, 'pad_to_max_tokens': False,
            'sparse': False, 'ragged': False, 'vocabulary': None, 'idf_weights': None, 'encoding': 'utf-8', 'vocabulary_size': None}
    base.update(c); return base
W = lambda *shape: rng.normal(0, 0.5, shape).astype(np.float32)
idf = None
if kind == 'int':
    vocab = ['', '[UNK]', 'the', 'oil', 'prices', 'rose', 'opec', 'cut', 'output', 'again', 'and', 'École', 'its', 'wheat']
    c = tv_config(max_tokens=20, output_sequence_length=8, vocabulary_size=len(vocab))
    emb, k, b = W(20, 4), W(4, 3), W(3)
    layers = [layer('InputLayer', {'batch_shape': [None, 1], 'dtype': 'string', 'sparse': False, 'ragged': False, 'name': 'input_layer', 'optional': False}),
              layer('TextVectorization', c, build_config={'input_shape': [None, 1]}),
              layer('Embedding', {'name': 'embedding', 'trainable': True, 'dtype': POLICY, 'input_dim': 20, 'output_dim': 4, 'embeddings_initializer': {'module': 'keras.initializers', 'class_name': 'RandomUniform', 'config': {'seed': None, 'minval': -0.05, 'maxval': 0.05}, 'registered_name': None}, 'embeddings_regularizer': None, 'activity_regularizer': None, 'embeddings_constraint': None, 'mask_zero': False, 'quantization_config': None}, build_config={'input_shape': [None, 8]}),
              layer('GlobalAveragePooling1D', {'name': 'global_average_pooling1d', 'trainable': True, 'dtype': POLICY, 'data_format': 'channels_last', 'keepdims': False}),
              layer('Dense', dense('dense', 3, 'softmax'), build_config={'input_shape': [None, 4]})]
    model = {'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 'sequential', 'trainable': True, 'dtype': POLICY, 'layers': layers, 'build_input_shape': [None, 1]}, 'registered_name': None, 'build_config': {'input_shape': [None, 1]}, 'compile_config': None}
    weights = {'layers/embedding': ('embedding', [emb]), 'layers/global_average_pooling1d': ('global_average_pooling1d', []), 'layers/dense': ('dense', [k, b])}
    def forward(v):
        x = emb.astype(np.float64)[np.asarray(v, int)].mean(axis=0) @ k + b
        e = np.exp(x - x.max()); return e / e.sum()
elif kind == 'multi_hot':
    vocab = ['oil', 'prices', 'oil prices', 'rose', 'prices rose', 'wheat', 'opec', 'the']
    c = tv_config(max_tokens=16, standardize='lower', ngrams=2, output_mode='multi_hot', pad_to_max_tokens=True, vocabulary=vocab, vocabulary_size=len(vocab) + 1)
    k1, b1, k2, b2 = W(16, 6), W(6), W(6, 3), W(3)
    layers = [layer('InputLayer', {'batch_shape': [None], 'dtype': 'string', 'sparse': False, 'ragged': False, 'name': 'text', 'optional': False}, name='text', inbound_nodes=[]),
              layer('TextVectorization', c, name='text_vectorization', inbound_nodes=[tensor('text', [None], 'string')]),
              layer('Dense', dense('dense', 6, 'relu'), build_config={'input_shape': [None, 16]}, name='dense', inbound_nodes=[tensor('text_vectorization', [None, 16])]),
              layer('Dense', dense('dense_1', 3, 'softmax'), build_config={'input_shape': [None, 6]}, name='dense_1', inbound_nodes=[tensor('dense', [None, 6])])]
    model = {'module': 'keras.src.models.functional', 'class_name': 'Functional', 'config': {'name': 'functional', 'trainable': True, 'layers': layers, 'input_layers': ['text', 0, 0], 'output_layers': ['dense_1', 0, 0]}, 'registered_name': 'Functional', 'build_config': {'input_shape': None}, 'compile_config': None}
    weights = {'layers/input_layer': ('text', []), 'layers/dense': ('dense', [k1, b1]), 'layers/dense_1': ('dense_1', [k2, b2])}
    def forward(v):
        h = np.maximum(np.asarray(v, np.float64) @ k1 + b1, 0); x = h @ k2 + b2
        e = np.exp(x - x.max()); return e / e.sum()
else:
    vocab = ['[UNK]', 'oil', 'prices', 'rose', 'wheat', 'The', 'oil prices']
    idf = np.asarray([0.9, 1.25, 1.5, 0.75, 2.0, 0.3, 1.1], np.float32)
    c = tv_config(standardize='strip_punctuation', ngrams=[1, 2], output_mode='tf_idf', vocabulary_size=len(vocab))
    k, b = W(len(vocab), 2), W(2)
    layers = [layer('InputLayer', {'batch_shape': [None, 1], 'dtype': 'string', 'sparse': False, 'ragged': False, 'name': 'input_layer', 'optional': False}),
              layer('TextVectorization', c, build_config={'input_shape': [None, 1]}),
              layer('Dense', dense('dense', 2, 'softmax'), build_config={'input_shape': [None, len(vocab)]})]
    model = {'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 'sequential', 'trainable': True, 'dtype': POLICY, 'layers': layers, 'build_input_shape': [None, 1]}, 'registered_name': None, 'build_config': {'input_shape': [None, 1]}, 'compile_config': None}
    weights = {'layers/dense': ('dense', [k, b])}
    def forward(v):
        x = np.asarray(v, np.float64) @ k + b
        e = np.exp(x - x.max()); return e / e.sum()
vectors = tv_vectors(texts, c, vocab, idf)
outputs = [forward(v).tolist() for v in vectors]
for key, value in edit.items(): c[key] = value
h5 = io.BytesIO()
with h5py.File(h5, 'w') as f:
    f.create_group('vars').attrs['name'] = model['config']['name']
    for path, (name, arrays) in weights.items():
        g = f.create_group(path + '/vars'); g.attrs['name'] = name
        for i, a in enumerate(arrays): g[str(i)] = a
    for path, name in (('layers/text_vectorization', 'text_vectorization'), ('layers/text_vectorization/_lookup_layer', 'string_lookup')):
        g = f.create_group(path + '/vars'); g.attrs['name'] = name
        if idf is not None: g['idf_weights'] = idf
with zipfile.ZipFile(file, 'w') as z:
    z.writestr('metadata.json', json.dumps({'keras_version': '3.16.0', 'date_saved': '2026-12-02@00:00:00'}))
    z.writestr('config.json', json.dumps(model))
    z.writestr('model.weights.h5', h5.getvalue())
    if c.get('vocabulary') is None and 'no-asset' not in edit:
        for p in ('assets/layers/text_vectorization/vocabulary.txt', 'assets/layers/text_vectorization/_lookup_layer/vocabulary.txt'):
            z.writestr(p, '\n'.join(vocab))
print(json.dumps({'vectors': vectors, 'outputs': outputs, 'vocabulary': vocab}))
`;
  const r = spawnSync(PY, ['-c', code, file, kind, JSON.stringify(texts), JSON.stringify(edit)], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`python could not write ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as TvExpected;
}

/** Runs {@link TV_PY}'s tokens and vectors for texts under each config (plain JSON in and out). */
export function pythonTextVectorization(cases: { config: Record<string, unknown>; vocabulary: string[]; texts: string[] }[]): number[][][] {
  const code = TV_PY + `
import sys
print(json.dumps([tv_vectors(k['texts'], k['config'], k['vocabulary']) for k in json.loads(sys.stdin.read())]))
`;
  const r = spawnSync(PY, ['-c', code], { input: JSON.stringify(cases), encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as number[][][];
}
