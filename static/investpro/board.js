// 看板: dropping a card on a column opens that move's stage form, by following the card's own
// "移至…" link for the column's stage (the same link works without JavaScript). A column the card
// cannot move to does not accept the drop; nothing here changes a stage by itself.
(function () {
  "use strict";

  function moveLink(card, stage) {
    return card ? card.querySelector('a.move[data-stage="' + stage + '"]') : null;
  }

  function init() {
    var board = document.querySelector("[data-board]");
    if (!board) {
      return;
    }
    var message = document.querySelector("[data-board-message]");
    var dragged = null;

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest ? event.target.closest(".board-card[draggable=true]") : null;
      if (!card) {
        return;
      }
      dragged = card;
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.id);
    });

    board.addEventListener("dragend", function () {
      if (dragged) {
        dragged.classList.remove("dragging");
      }
      dragged = null;
      board.querySelectorAll(".drop-ok").forEach(function (column) {
        column.classList.remove("drop-ok");
      });
    });

    board.addEventListener("dragover", function (event) {
      var column = event.target.closest ? event.target.closest(".column") : null;
      if (column && moveLink(dragged, column.dataset.stage)) {
        event.preventDefault(); // this column accepts the card
        event.dataTransfer.dropEffect = "move";
        column.classList.add("drop-ok");
      }
    });

    board.addEventListener("dragleave", function (event) {
      var column = event.target.closest ? event.target.closest(".column") : null;
      if (column && !column.contains(event.relatedTarget)) {
        column.classList.remove("drop-ok");
      }
    });

    board.addEventListener("drop", function (event) {
      var column = event.target.closest ? event.target.closest(".column") : null;
      var link = column ? moveLink(dragged, column.dataset.stage) : null;
      event.preventDefault();
      if (link) {
        if (message) {
          message.textContent = "正在打开“" + link.textContent + "”表单…";
        }
        window.location.assign(link.href);
      } else if (message && dragged && column && column.dataset.stage) {
        message.textContent = "该项目不能直接移到这一阶段。";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
