// The end-of-chapter quizzes (book.toml's additional-js). The page already
// holds every question with its answer behind a <details>, which works
// without JavaScript (see crates/xtask/src/quiz.rs). This script turns each
// question into one to answer: radio buttons or a text box, a Check button,
// a verdict, and the explanation opened after the reader has answered.
// Results are kept in this browser's localStorage and nowhere else.
(function () {
  'use strict';

  var STORE = 'attention-verified-quiz';

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE)) || {};
    } catch (e) {
      return {};
    }
  }

  function save(results) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(results));
    } catch (e) {
      // Private browsing or storage switched off: results last for the page.
    }
  }

  // A numeric answer is right when it rounds to the printed answer at the
  // printed number of decimals (0.46831 counts for 0.4683; 0.468 does not).
  function numberIsRight(given, answer, decimals) {
    var x = parseFloat(String(given).trim().replace(',', '.'));
    if (!isFinite(x)) return false;
    var tolerance = 0.5 * Math.pow(10, -decimals) + 1e-12;
    return Math.abs(x - parseFloat(answer)) <= tolerance;
  }

  function textIsRight(given, answer) {
    var norm = function (s) {
      return String(s).trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.!]$/, '');
    };
    return norm(given) !== '' && norm(given) === norm(answer);
  }

  function setup(quiz) {
    var id = quiz.getAttribute('data-quiz');
    var results = load();
    var mine = results[id] || {};
    var questions = quiz.querySelectorAll('.quiz-question');

    var score = document.createElement('p');
    score.className = 'quiz-score';
    score.setAttribute('aria-live', 'polite');
    quiz.appendChild(score);

    function showScore() {
      var right = 0;
      var answered = 0;
      for (var k in mine) {
        answered += 1;
        if (mine[k] === 'right') right += 1;
      }
      score.textContent = answered === 0 ? '' :
        right + ' of ' + questions.length + ' right so far' +
        (answered < questions.length ? ' (' + (questions.length - answered) + ' to go)' : '');
    }

    Array.prototype.forEach.call(questions, function (li, index) {
      var qid = li.id;
      var kind = li.getAttribute('data-kind');
      var answer = li.getAttribute('data-answer');
      var decimals = parseInt(li.getAttribute('data-decimals') || '0', 10);
      var details = li.querySelector('details.quiz-answer');
      var form = document.createElement('form');
      form.className = 'quiz-form';
      form.setAttribute('aria-labelledby', qid + '-prompt');
      var read;

      if (kind === 'choice') {
        var list = li.querySelector('.quiz-choices');
        var fieldset = document.createElement('fieldset');
        var legend = document.createElement('legend');
        legend.className = 'quiz-legend';
        legend.textContent = 'Question ' + (index + 1) + ': choose one';
        fieldset.appendChild(legend);
        Array.prototype.forEach.call(list.querySelectorAll('li'), function (c, n) {
          var label = document.createElement('label');
          var input = document.createElement('input');
          input.type = 'radio';
          input.name = qid;
          input.value = c.getAttribute('data-choice');
          input.id = qid + '-c' + n;
          label.htmlFor = input.id;
          label.appendChild(input);
          var span = document.createElement('span');
          span.innerHTML = c.innerHTML;
          label.appendChild(span);
          fieldset.appendChild(label);
        });
        form.appendChild(fieldset);
        list.remove();
        read = function () {
          var picked = form.querySelector('input:checked');
          return picked ? picked.value : null;
        };
      } else {
        var label = document.createElement('label');
        label.htmlFor = qid + '-input';
        label.textContent = kind === 'number'
          ? 'Your answer (a number, ' + decimals + ' decimals): '
          : 'Your answer: ';
        var input = document.createElement('input');
        input.type = 'text';
        input.id = qid + '-input';
        input.autocomplete = 'off';
        input.setAttribute('inputmode', kind === 'number' ? 'decimal' : 'text');
        label.appendChild(input);
        form.appendChild(label);
        read = function () {
          return input.value.trim() === '' ? null : input.value;
        };
      }

      var button = document.createElement('button');
      button.type = 'submit';
      button.className = 'quiz-check';
      button.textContent = 'Check';
      form.appendChild(button);

      var verdict = document.createElement('p');
      verdict.className = 'quiz-verdict';
      verdict.setAttribute('role', 'status');
      form.appendChild(verdict);
      li.insertBefore(form, details);

      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var given = read();
        if (given === null) {
          verdict.className = 'quiz-verdict';
          verdict.textContent = kind === 'choice' ? 'Pick an answer first.' : 'Type an answer first.';
          return;
        }
        var right = kind === 'number' ? numberIsRight(given, answer, decimals)
          : kind === 'text' ? textIsRight(given, answer)
          : given === answer;
        verdict.className = 'quiz-verdict ' + (right ? 'quiz-right' : 'quiz-wrong');
        verdict.textContent = right ? 'Right.' : 'Not quite: the answer is below.';
        li.setAttribute('data-result', right ? 'right' : 'wrong');
        details.open = true;
        mine[String(index + 1)] = right ? 'right' : 'wrong';
        results[id] = mine;
        save(results);
        showScore();
      });

      if (mine[String(index + 1)]) {
        li.setAttribute('data-result', mine[String(index + 1)]);
      }
    });

    var reset = document.createElement('button');
    reset.type = 'button';
    reset.className = 'quiz-reset';
    reset.textContent = 'Forget my answers';
    reset.addEventListener('click', function () {
      mine = {};
      delete results[id];
      save(results);
      Array.prototype.forEach.call(questions, function (li) {
        li.removeAttribute('data-result');
        var details = li.querySelector('details.quiz-answer');
        if (details) details.open = false;
        var verdict = li.querySelector('.quiz-verdict');
        if (verdict) {
          verdict.textContent = '';
          verdict.className = 'quiz-verdict';
        }
        Array.prototype.forEach.call(li.querySelectorAll('input'), function (input) {
          if (input.type === 'radio') input.checked = false;
          else input.value = '';
        });
      });
      showScore();
    });
    quiz.appendChild(reset);
    quiz.classList.add('quiz-ready');
    showScore();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('.quiz'), setup);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
