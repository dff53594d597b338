/**
 * Keras 2.x `Tokenizer` (keras_preprocessing/text.py), reduced to what the tests compare, for
 * python3 to run: fit_on_texts, texts_to_sequences, texts_to_matrix('binary') and to_json.
 * One deliberate change: Keras fills word_docs from a Python set (hash order, random per
 * process); this copy uses first-seen order, the order our port documents.
 * Reads {"texts", "num_words", "oov_token", "matrix"} on stdin, prints a JSON report.
 */
export const KERAS_TOKENIZER_PY = String.raw`
import json, sys
from collections import OrderedDict, defaultdict

def text_to_word_sequence(text, filters='!"#$%&()*+,-./:;<=>?@[\\]^_${"`"}{|}~\t\n', lower=True, split=" "):
    if lower:
        text = text.lower()
    translate_map = str.maketrans({c: split for c in filters})
    return [i for i in text.translate(translate_map).split(split) if i]

class Tokenizer:
    def __init__(self, num_words=None, oov_token=None):
        self.word_counts = OrderedDict(); self.word_docs = defaultdict(int)
        self.filters = '!"#$%&()*+,-./:;<=>?@[\\]^_${"`"}{|}~\t\n'; self.split = ' '; self.lower = True
        self.num_words = num_words; self.document_count = 0; self.char_level = False
        self.oov_token = oov_token; self.index_docs = defaultdict(int); self.word_index = {}; self.index_word = {}

    def fit_on_texts(self, texts):
        for text in texts:
            self.document_count += 1
            seq = text_to_word_sequence(text, self.filters, self.lower, self.split)
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in dict.fromkeys(seq):
                self.word_docs[w] += 1
        wcounts = list(self.word_counts.items())
        wcounts.sort(key=lambda x: x[1], reverse=True)
        sorted_voc = [] if self.oov_token is None else [self.oov_token]
        sorted_voc.extend(wc[0] for wc in wcounts)
        self.word_index = dict(zip(sorted_voc, list(range(1, len(sorted_voc) + 1))))
        self.index_word = {c: w for w, c in self.word_index.items()}
        for w, c in list(self.word_docs.items()):
            self.index_docs[self.word_index[w]] = c

    def texts_to_sequences(self, texts):
        out = []
        oov = self.word_index.get(self.oov_token)
        for text in texts:
            vect = []
            for w in text_to_word_sequence(text, self.filters, self.lower, self.split):
                i = self.word_index.get(w)
                if i is not None:
                    if self.num_words and i >= self.num_words:
                        if oov is not None: vect.append(oov)
                    else: vect.append(i)
                elif self.oov_token is not None:
                    vect.append(oov)
            out.append(vect)
        return out

    def texts_to_matrix(self, texts):
        n = self.num_words or len(self.word_index) + 1
        rows = []
        for seq in self.texts_to_sequences(texts):
            x = [0.0] * n
            for j in seq:
                if j < n: x[j] = 1.0
            rows.append(x)
        return rows

    def to_json(self):
        config = {
            'num_words': self.num_words, 'filters': self.filters, 'lower': self.lower, 'split': self.split,
            'char_level': self.char_level, 'oov_token': self.oov_token, 'document_count': self.document_count,
            'word_counts': json.dumps(self.word_counts), 'word_docs': json.dumps(self.word_docs),
            'index_docs': json.dumps(self.index_docs), 'index_word': json.dumps(self.index_word),
            'word_index': json.dumps(self.word_index),
        }
        return json.dumps({'class_name': self.__class__.__name__, 'config': config})

def tokenizer_from_json(json_string):
    config = json.loads(json_string).get('config')
    word_counts = json.loads(config.pop('word_counts'))
    word_docs = json.loads(config.pop('word_docs'))
    index_docs = {int(k): v for k, v in json.loads(config.pop('index_docs')).items()}
    index_word = {int(k): v for k, v in json.loads(config.pop('index_word')).items()}
    word_index = json.loads(config.pop('word_index'))
    t = Tokenizer(num_words=config['num_words'], oov_token=config['oov_token'])
    t.word_counts, t.word_docs, t.index_docs, t.word_index, t.index_word = word_counts, word_docs, index_docs, word_index, index_word
    t.document_count = config['document_count']
    return t

req = json.loads(sys.stdin.read())
t = Tokenizer(num_words=req['num_words'], oov_token=req['oov_token'])
t.fit_on_texts(req['texts'])
report = {'json': t.to_json(), 'sequences': t.texts_to_sequences(req['matrix']), 'matrix': t.texts_to_matrix(req['matrix'])}
if 'ours' in req:
    back = tokenizer_from_json(req['ours'])
    report['ours_sequences'] = back.texts_to_sequences(req['matrix'])
    report['ours_reserialized'] = back.to_json()
print(json.dumps(report))
`;
