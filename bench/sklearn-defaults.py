#!/usr/bin/python3
"""
Compares backprop's default training configuration with scikit-learn's MLPClassifier and
MLPRegressor defaults by 5-fold cross-validation (stratified for classes) on iris, digits
(data/) and the diabetes regression set (written from scikit-learn to a temporary CSV).

backprop runs as the command line with no options but the target (`backprop cv … --json`);
scikit-learn runs its defaults on the raw features and in a pipeline after StandardScaler
(backprop standardises by default). Scores: accuracy (classes), R² (diabetes); mean ± std over folds.

Run from the repository root after `npm run build`, with Debian's python3-sklearn:
    /usr/bin/python3 bench/sklearn-defaults.py
"""
import csv, json, os, subprocess, sys, tempfile, warnings
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings('ignore', category=ConvergenceWarning)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def read_csv(path, target, classes):
    with open(path) as f:
        rows = list(csv.reader(f))
    j = rows[0].index(target)
    x = np.array([[float(v) for k, v in enumerate(r) if k != j] for r in rows[1:]])
    y = np.array([r[j] if classes else float(r[j]) for r in rows[1:]])
    return x, y

def backprop_cv(path, target):
    out = subprocess.run(['node', os.path.join(ROOT, 'bin', 'backprop.js'), 'cv', path, '--target', target, '--folds', '5', '--json'],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    key = 'accuracy' if result['task'] == 'classification' else 'r2'
    return result['mean'][key], result['std'][key]

def sklearn_cv(x, y, classes, scaled):
    model = MLPClassifier(random_state=0) if classes else MLPRegressor(random_state=0)
    if scaled:
        model = make_pipeline(StandardScaler(), model)
    folds = StratifiedKFold(5, shuffle=True, random_state=0) if classes else KFold(5, shuffle=True, random_state=0)
    scores = cross_val_score(model, x, y, cv=folds, scoring='accuracy' if classes else 'r2')
    return scores.mean(), scores.std()

def main():
    with tempfile.TemporaryDirectory() as tmp:
        diabetes = load_diabetes(scaled=False)
        diabetes_path = os.path.join(tmp, 'diabetes.csv')
        with open(diabetes_path, 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(list(diabetes.feature_names) + ['progression'])
            for features, target in zip(diabetes.data, diabetes.target):
                writer.writerow(['%g' % v for v in features] + ['%g' % target])
        sets = [('iris', os.path.join(ROOT, 'data', 'iris.csv'), 'species', True),
                ('digits', os.path.join(ROOT, 'data', 'digits.csv'), 'digit', True),
                ('diabetes', diabetes_path, 'progression', False)]
        print('| data set | metric | backprop defaults | sklearn defaults (raw) | sklearn defaults + StandardScaler |')
        print('|---|---|---|---|---|')
        for name, path, target, classes in sets:
            x, y = read_csv(path, target, classes)
            ours = backprop_cv(path, target)
            raw = sklearn_cv(x, y, classes, False)
            scaled = sklearn_cv(x, y, classes, True)
            cell = lambda s: '%.3f ± %.3f' % s
            print('| %s | %s | %s | %s | %s |' % (name, 'accuracy' if classes else 'R²', cell(ours), cell(raw), cell(scaled)))
            sys.stdout.flush()

if __name__ == '__main__':
    main()
